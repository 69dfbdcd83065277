"""Small helpers shared by tests; no side effects, safe to import from any test module."""
from __future__ import annotations

import asyncio
import os
import secrets

import httpx

DEMO_PASSWORD = "Demo@2026"


def fresh_phone() -> str:
    return f"139{secrets.randbelow(10**8):08d}"


def fresh_ip() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def make_id_number(region: str = "440703", born: str = "19900101", seq: int | None = None) -> str:
    from app.core.idcard import check_digit
    seq = seq if seq is not None else secrets.randbelow(999)
    first17 = f"{region}{born}{seq:03d}"
    return first17 + check_digit(first17)


# ---- staff login, with the second factor read from the sandbox ---------------------------------
# An account whose role asks for a second factor gets a challenge instead of a token; its code
# goes to the sandbox SMS provider, where a person reads it at /sandbox/ and these helpers read it
# through the sandbox's message list. The login SMS carries the reference the challenge shows.

def _masked_match(phone: str, masked: str | None) -> bool:
    return not masked or (phone[:3] == masked[:3] and phone[-4:] == masked[-4:])


async def login_code(ref: str, masked_phone: str | None = None, sandbox_url: str | None = None) -> str:
    """The code of the newest login SMS with this reference (and phone, masked as the API shows it)."""
    base = sandbox_url or os.environ["SANDBOX_URL"]
    async with httpx.AsyncClient(base_url=base, timeout=10) as c:
        for _ in range(50):
            r = await c.get("/sandbox/sms/messages", params={"limit": 200})
            for m in r.json()["items"]:
                if m["template"] == "login_code" and m["params"].get("ref") == ref \
                        and _masked_match(m["phone"], masked_phone):
                    return m["params"]["code"]
            await asyncio.sleep(0.1)
    raise AssertionError(f"no login SMS with reference {ref} in the sandbox")


async def complete_login(client, first) -> dict:  # noqa: ANN001
    """The body of a finished login, given the first step's response: a challenge is answered
    with the code from the sandbox."""
    assert first.status_code == 200, first.text
    body = first.json()
    if "token" in body:
        return body
    assert body["second_factor"] == "sms", body
    code = await login_code(body["ref"], body.get("phone"))
    r = await client.post("/api/v1/auth/login/verify", json={"challenge_token": body["challenge_token"], "code": code})
    assert r.status_code == 200, r.text
    return r.json()


async def staff_login(client, username: str, password: str = DEMO_PASSWORD) -> dict:  # noqa: ANN001
    """Log a staff account in through both steps; `client` is an httpx.AsyncClient on the API."""
    r = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    return await complete_login(client, r)


async def staff_token(client, username: str, password: str = DEMO_PASSWORD) -> str:  # noqa: ANN001
    return (await staff_login(client, username, password))["token"]


async def submit_login(page) -> None:  # noqa: ANN001
    """In the admin's login page with the name and password filled: press 登录 and, when the
    account needs it, type the SMS code from the sandbox into the second step."""
    async with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/login")
                                    and r.request.method == "POST") as info:
        await page.locator("[data-test=login-submit]").click()
    resp = await info.value
    body = await resp.json() if resp.ok else {}
    if body.get("second_factor") == "sms":
        code = await login_code(body["ref"], body.get("phone"))
        await page.locator("[data-test=login-code]").fill(code)
        await page.locator("[data-test=login-verify]").click()
