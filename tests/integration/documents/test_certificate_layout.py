"""Where the seal lands on the project recognition certificate (issue 10 §5: the seal covered the
footer's verify text): laid out by WeasyPrint as issued, for a short and a long building list."""
from __future__ import annotations

import copy

import pytest
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from app.documents import pages, pdf, service, templates
from app.documents.context import preview_context
from app.documents.seed import DEFAULTS, default_html

pytestmark = pytest.mark.feature("GOV-05-03", "BLD-01-03")
KEY = "project_recognition_certificate"


def _layout(buildings: int):
    sample = copy.deepcopy(next(d for d in DEFAULTS if d["key"] == KEY)["sample"])
    sample["project"]["buildings"] = [{"name": f"{i}栋", "floors": 33, "planned_units": 264}
                                      for i in range(1, buildings + 1)]
    ctx = preview_context(sample)
    html = service._ensure_qr(templates.render(default_html(KEY), ctx), ctx["document"])
    rendered = pdf.render_pdf(html)
    doc = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",)), base_url=None).render(
        stylesheets=[CSS(string=pdf.BASE_CSS)], presentational_hints=True)
    return rendered, doc


def _box(doc, anchor: str) -> tuple[float, float, float, float]:  # noqa: ANN001
    """An element's box in PDF points, origin bottom-left as the seal's."""
    page = doc.pages[0]
    x1, y1, x2, y2 = (v * pdf.PX_TO_PT for v in page.anchors[anchor][:4])
    h = page.height * pdf.PX_TO_PT
    return x1, h - y2, x2, h - y1


def _overlap(a, b) -> bool:  # noqa: ANN001
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("buildings", [2, 12, 20])
def test_the_seal_covers_neither_the_verify_text_nor_the_body(buildings: int):
    rendered, doc = _layout(buildings)
    assert rendered.pages == 1 and len(doc.pages) == 1
    s = rendered.seal
    seal = (s.x, s.y, s.x + s.size, s.y + s.size)
    verify = _box(doc, "verify")
    body_end = _box(doc, "body-end")
    assert not _overlap(seal, verify), (seal, verify)
    # The last paragraph ends above the seal's top: nothing of the body is under it.
    assert body_end[1] > seal[3], (body_end, seal)
    # The seal sits on the page, inside its margins.
    page_w, page_h = doc.pages[0].width * pdf.PX_TO_PT, doc.pages[0].height * pdf.PX_TO_PT
    assert 0 < seal[0] and seal[2] < page_w and 0 < seal[1] and seal[3] < page_h


def test_the_verify_page_has_its_icon_inline():
    html = pages.missing_html()
    assert '<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,%3Csvg' in html
    assert pages.FAVICON.startswith("data:image/svg+xml,") and "%23fff" in pages.FAVICON
