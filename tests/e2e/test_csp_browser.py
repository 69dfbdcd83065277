"""The admin, the API docs page and the verify page work under the strict Content-Security-Policy:
the browser reports no violation on any of them (issue 10 §3)."""
from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.test_admin_shell import shot, ui_login

pytestmark = [pytest.mark.e2e, pytest.mark.feature("GOV-13-04")]

# Registered before any page script runs (DevTools injects it, so the policy does not apply to it).
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' @' + e.sourceFile + ':' + e.lineNumber));
"""
PAGES = ["dashboard", "audit", "projects", "projects-map", "communities", "units", "processes", "forms",
         "rules", "templates", "cases", "exchange", "staff", "roles"]


async def _violations(page: Page, console: list[str]) -> list[str]:
    await page.wait_for_timeout(400)
    return [*(await page.evaluate("window.__csp || []")), *console]


async def test_no_csp_violation_across_the_admin_docs_and_verify_pages(page: Page, admin_url: str, api_url: str):
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    await page.add_init_script(WATCH)
    response = await page.goto(admin_url + "login")
    assert "script-src 'self'" in (await response.all_headers())["content-security-policy"]
    await ui_login(page, admin_url, "gov_admin", "Demo@2026")
    seen = {}
    for name in PAGES:
        await page.goto(admin_url + name)
        await expect(page.locator(".el-main, main").first).to_be_visible()
        await page.wait_for_load_state("networkidle")
        seen[name] = await _violations(page, console)
    await shot(page, "csp-admin-last-page")
    # Swagger UI renders the document with its bootstrap served as a file.
    await page.goto(api_url + "/docs")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("江门市保障性租赁住房管理平台 API")
    seen["docs"] = await _violations(page, console)
    await page.goto(api_url + "/verify/no-such-document")
    await expect(page.get_by_text(re.compile("未找到该文书"))).to_be_visible()
    seen["verify"] = await _violations(page, console)
    assert {k: v for k, v in seen.items() if v} == {}
