"""HTML -> PDF with WeasyPrint, Noto CJK embedded; finds where the template wants the seal.

A template marks the seal's place with an element `id="seal"` (usually over the issuer's
name and date, as a stamp is pressed on paper); the 40 mm seal is centred on that element. Without one the seal goes at the bottom
right of the last page. Templates can load nothing from outside: only `data:` URIs, so
a template cannot make the server fetch internal URLs or read local files.
"""
from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

from app.core.errors import InvalidInput
from app.documents.fonts import FONT_STACK, SERIF, font_file

PX_TO_PT = 0.75  # CSS px are 1/96 in, PDF points 1/72 in
SEAL_MM = 40.0  # diameter of an official round seal
SEAL_PT = SEAL_MM / 25.4 * 72
SEAL_ANCHOR = "seal"
MAX_PAGES = 50

# User stylesheet: A4 and GB/T 9704 margins and fonts; a template's own CSS overrides it.
BASE_CSS = f"""
@page {{ size: A4; margin: 30mm 26mm 28mm 28mm; }}
html {{ font-family: {FONT_STACK}; font-size: 16pt; line-height: 1.6; color: #000; }}
"""
# Rendering is CPU-heavy: a few at a time per process, the rest wait in their threads.
_SLOTS = threading.BoundedSemaphore(2)


@dataclass(frozen=True)
class SealBox:
    page: int  # 0-based
    x: float  # PDF points from the left
    y: float  # PDF points from the bottom (PDF user space)
    size: float

    @property
    def rect(self) -> tuple[int, int, int, int]:
        return (round(self.x), round(self.y), round(self.x + self.size), round(self.y + self.size))


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    seal: SealBox


def render_pdf(html: str) -> Rendered:
    """Synchronous; call through html_to_pdf from async code."""
    # Imported here: WeasyPrint takes seconds to import, and API workers must start fast.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    font_file(SERIF, bold=False)  # fail with a clear message rather than print boxes for Chinese
    fetcher = URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=1)
    with _SLOTS:
        try:
            doc = HTML(string=html, url_fetcher=fetcher, base_url=None).render(
                stylesheets=[CSS(string=BASE_CSS)], presentational_hints=True)
            if len(doc.pages) > MAX_PAGES:
                raise InvalidInput(f"文书页数过多（{len(doc.pages)} 页，不超过 {MAX_PAGES} 页）",
                                   code="PDF_TOO_LONG", fields={"html": "页数过多"})
            pdf = doc.write_pdf()
        except InvalidInput:
            raise
        except RecursionError as e:
            raise InvalidInput("文书排版失败：HTML 嵌套层级过深", code="PDF_LAYOUT_FAILED",
                               fields={"html": "嵌套层级过深"}) from e
        except Exception as e:  # noqa: BLE001 - the HTML is the template's; a layout failure is its error
            raise InvalidInput(f"文书排版失败：模板的 HTML 或样式无法排版（{type(e).__name__}）",
                               code="PDF_LAYOUT_FAILED", fields={"html": "无法排版"}) from e
        seal = None
        for i, page in enumerate(doc.pages):
            if SEAL_ANCHOR in page.anchors:
                # The seal is centred on the marked element (its top-left corner if the element is empty).
                x1, y1, x2, y2 = (v * PX_TO_PT for v in page.anchors[SEAL_ANCHOR][:4])
                cx = (x1 + x2) / 2 if x2 > x1 else x1 + SEAL_PT / 2
                cy = (y1 + y2) / 2 if y2 > y1 else y1 + SEAL_PT / 2
                seal = SealBox(i, cx - SEAL_PT / 2, page.height * PX_TO_PT - cy - SEAL_PT / 2, SEAL_PT)
                break
        if seal is None:
            last = doc.pages[-1]
            w = last.width * PX_TO_PT
            seal = SealBox(len(doc.pages) - 1, w - 26 / 25.4 * 72 - SEAL_PT - 20, 28 / 25.4 * 72 + 40, SEAL_PT)
    return Rendered(pdf=pdf, pages=len(doc.pages), seal=seal)


async def html_to_pdf(html: str) -> Rendered:
    return await asyncio.to_thread(render_pdf, html)
