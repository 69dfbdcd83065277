"""The visible seal: a red round seal with the org name on the upper arc, a star, and the seal's use."""
from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

from app.documents.fonts import SERIF, font_file

SIZE = 600  # px; printed at 40 mm that is about 380 dpi
RED = (214, 0, 0, 235)  # slightly translucent, so text under the seal stays legible like real ink
DEFAULT_USE = "电子文书专用章"


def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = font_file(SERIF, bold=True)
    return ImageFont.truetype(path, size, index=index)


def _glyph(ch: str, size: int, squeeze: float) -> Image.Image:
    """One character on its own transparent tile, narrowed as seal engravers do."""
    font = _font(size)
    tile = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((size, size), ch, font=font, fill=RED, anchor="mm")
    tile = tile.crop(tile.getbbox() or (0, 0, 1, 1))
    return tile.resize((max(1, int(tile.width * squeeze)), tile.height), Image.LANCZOS)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    pts = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.382
        a = math.radians(-90 + i * 36)
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    draw.polygon(pts, fill=RED)


def draw(org_name: str, use: str = DEFAULT_USE) -> bytes:
    """PNG bytes of the seal for `org_name`."""
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    c = SIZE / 2
    ring = 18
    d.ellipse((ring / 2 + 4, ring / 2 + 4, SIZE - ring / 2 - 4, SIZE - ring / 2 - 4), outline=RED, width=ring)

    name = org_name.strip()[:24]
    n = max(len(name), 1)
    # Short names sit on a narrower arc; long ones spread up to 250° and shrink.
    span = min(250.0, 140.0 + 9.0 * n)
    size = int(max(40, min(80, 1250 / (n + 6))))
    radius = c - ring - 22 - size * 0.5
    for i, ch in enumerate(name):
        theta = -span / 2 + span * (i + 0.5) / n
        g = _glyph(ch, size, 0.78).rotate(-theta, resample=Image.BICUBIC, expand=True)
        x = c + radius * math.sin(math.radians(theta))
        y = c - radius * math.cos(math.radians(theta))
        img.alpha_composite(g, (int(x - g.width / 2), int(y - g.height / 2)))

    _star(d, c, c, SIZE * 0.15)
    if use:
        font = _font(max(28, min(44, int(290 / max(len(use), 1)))))
        d.text((c, c + SIZE * 0.25), use, font=font, fill=RED, anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
