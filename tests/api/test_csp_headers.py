"""Every page the API serves carries the strict Content-Security-Policy (issue 10 §3)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.feature("GOV-13-04")


def _directives(p: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in p.split("; ")}


@pytest.mark.parametrize("path", ["/admin/", "/admin/housing/projects", "/docs", "/verify/no-such-document"])
async def test_pages_carry_the_policy(api, path):  # noqa: ANN001
    r = await api.client.get(path, follow_redirects=True)
    assert r.headers["content-type"].startswith("text/html"), (path, r.status_code)
    d = _directives(r.headers["content-security-policy"])
    host = r.request.url.netloc.decode()
    assert d["script-src"] == ["'self'"] and d["default-src"] == ["'self'"]
    assert d["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"]
    assert d["frame-ancestors"] == ["'self'"]
    # nothing inline is left for the policy to block
    assert "<script>" not in r.text and " onclick=" not in r.text


async def test_page_scripts_are_served_as_files(api):  # noqa: ANN001
    for path in ("/docs/swagger-init.js", "/static/verify.js"):
        r = await api.client.get(path)
        assert r.status_code == 200 and "javascript" in r.headers["content-type"], path
    r = await api.client.get("/docs", follow_redirects=True)
    assert '<script src="/docs/swagger-init.js"></script>' in r.text


async def test_api_answers_carry_no_page_policy(api):  # noqa: ANN001
    r = await api.client.get("/api/v1/auth/me")
    assert r.status_code == 401 and "content-security-policy" not in r.headers
