"""In-app messages and the staff push hub: rows written in the caller's transaction, listed and marked
read over the API, and pushed live over /api/v1/push/ws through Redis pub/sub from another process."""
from __future__ import annotations

import asyncio
import io
import json

import pytest
from openpyxl import load_workbook
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.core.db import uow
from channels.messages import service
from channels.messages.models import Message
from tests.conftest import API_PORT

pytestmark = pytest.mark.feature("GOV-01-01", "OPS-01-01")
WS = f"ws://127.0.0.1:{API_PORT}/api/v1/push/ws"


def _browser(token: str) -> dict:
    """How the admin connects: the token rides in the subprotocol list, never in the URL."""
    return {"subprotocols": ["arh.push", f"arh.token.{token}"]}


async def _next(ws, kind: str, timeout: float = 10) -> dict:  # noqa: ANN001
    """The next frame other than a heartbeat; it must be of `kind`."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] != "heartbeat":
                assert frame["type"] == kind, frame
                return frame


async def _notify(account_ids: list[int], **kw) -> list[Message]:  # noqa: ANN003
    async with uow() as tx:
        msgs = await service.notify(account_ids, using=tx, **kw)
    await service.publish(msgs)
    return msgs


@pytest.fixture
async def clerk(api, new_staff):  # noqa: ANN001
    login, pw, aid = await new_staff(permissions=["dashboard.kpi.read"])
    return aid, await api.login(login, pw), (login, pw)


async def test_list_filter_mark_read_and_isolation(api, token, clerk):
    aid, t, _ = clerk
    other = await token("gov_clerk")
    m1, = await _notify([aid], kind="todo", title="新待办：保障房申请 BZSQ-20261126-0001", link="/cases/1",
                        ref_type="case", ref_id=1)
    m2, = await _notify([aid, aid], kind="notice", title="系统通知", body="今晚 22:00 维护")
    assert await Message.filter(account_id=aid).count() == 2  # duplicates dropped

    r = await api.get("/api/v1/messages", t)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["id"] for i in items] == [m2.id, m1.id]
    want = {"kind": "todo", "kind_name": "待办", "link": "/cases/1", "ref_type": "case", "ref_id": "1",
            "read": False, "read_at": None, "title": "新待办：保障房申请 BZSQ-20261126-0001"}
    assert {k: items[1][k] for k in want} == want
    assert (await api.get("/api/v1/messages/unread-count", t)).json() == {"unread": 2, "last_id": m2.id}
    r = await api.get("/api/v1/messages", t, params={"kind": "todo"})
    assert [i["id"] for i in r.json()["items"]] == [m1.id]
    r = await api.get("/api/v1/messages", t, params={"created_at__gte": "2000-01-01", "q": "维护"})
    assert [i["id"] for i in r.json()["items"]] == [m2.id]

    # someone else can neither see nor mark it
    assert m1.id not in {i["id"] for i in (await api.get("/api/v1/messages", other)).json()["items"]}
    r = await api.post(f"/api/v1/messages/{m1.id}/read", other)
    assert r.status_code == 404 and r.json()["error"]["code"] == "MESSAGE_NOT_FOUND"
    assert (await Message.get(id=m1.id)).read_at is None

    r = await api.post(f"/api/v1/messages/{m1.id}/read", t)
    assert r.status_code == 200 and r.json()["read"] is True
    first_read = (await Message.get(id=m1.id)).read_at
    assert first_read is not None
    r = await api.post(f"/api/v1/messages/{m1.id}/read", t)  # idempotent: the first read time stays
    assert r.status_code == 200 and (await Message.get(id=m1.id)).read_at == first_read
    r = await api.get("/api/v1/messages", t, params={"read": "0"})
    assert [i["id"] for i in r.json()["items"]] == [m2.id]
    r = await api.get("/api/v1/messages", t, params={"read": "1"})
    assert [i["id"] for i in r.json()["items"]] == [m1.id]

    r = await api.get("/api/v1/messages", t, params={"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0][1:3] == ("类型", "标题") and {x[1] for x in rows[1:]} == {"待办", "通知"}

    r = await api.post("/api/v1/messages/read-all", t)
    assert r.json() == {"updated": 1, "unread": 0}
    assert not await Message.filter(account_id=aid, read_at__isnull=True).exists()

    for bad in ({"read": "maybe"}, {"kind__contains": "x"}, {"created_at__gte": "yesterday"}):
        r = await api.get("/api/v1/messages", t, params=bad)
        assert r.status_code == 422, (bad, r.text)
    assert (await api.post("/api/v1/messages/99999999999/read", t)).status_code == 404
    assert (await api.get("/api/v1/messages")).status_code == 401
    person = await api.person_login("440703199001011239")
    assert (await api.get("/api/v1/messages", person)).status_code == 403


async def test_push_reaches_every_socket_from_another_process(api, clerk):
    """The API runs 2 worker processes; this test process publishes through Redis like a job worker would."""
    aid, t, _ = clerk
    old, = await _notify([aid], kind="notice", title="旧消息")
    sockets = [await connect(WS, **_browser(t)) for _ in range(4)]
    try:
        for ws in sockets:
            assert ws.subprotocol == "arh.push"
            hello = await _next(ws, "hello")
            # The count and the newest message it includes, from one snapshot: the bell counts a
            # pushed message only when it is newer (issue 10 §5, the bell disagreed with the list).
            assert hello["unread"] == 1 and hello["last_id"] == old.id and hello["heartbeat"] > 0
        m, = await _notify([aid], kind="todo", title="新待办：租金调整 ZJTZ-20261126-0002", link="/cases/9",
                           ref_type="case", ref_id="9")
        for ws in sockets:
            frame = await _next(ws, "message")
            assert frame["message"]["id"] == m.id and frame["message"]["title"].startswith("新待办")
            assert frame["message"]["link"] == "/cases/9" and frame["message"]["read"] is False

        # a message for someone else never arrives here
        await _notify([1], kind="notice", title="给别人的")
        r = await api.post(f"/api/v1/messages/{m.id}/read", t)
        assert r.status_code == 200
        for ws in sockets:  # the next frame is the read, not the other account's message
            assert await _next(ws, "read") == {"type": "read", "ids": [m.id]}

        await sockets[1].send("ping")
        assert (await _next(sockets[1], "pong")) == {"type": "pong"}
    finally:
        for ws in sockets:
            await ws.close()


async def test_header_token_works_and_unauthenticated_sockets_are_refused(api, token, clerk):
    aid, t, _ = clerk
    # programs may send the usual header; every client offers the arh.push subprotocol
    async with connect(WS, additional_headers={"Authorization": f"Bearer {t}"}, subprotocols=["arh.push"]) as ws:
        assert (await _next(ws, "hello"))["type"] == "hello"

    async def refused(**kw) -> int:  # noqa: ANN003
        with pytest.raises(InvalidStatus) as e:
            async with connect(WS, **kw):
                pass
        return e.value.response.status_code

    assert await refused(subprotocols=["arh.push"]) == 401
    assert await refused(**_browser("not-a-real-token")) == 401
    # a token in the URL is not read (URLs end up in proxy logs)
    with pytest.raises(InvalidStatus) as e:
        async with connect(f"{WS}?token={t}", subprotocols=["arh.push"]):
            pass
    assert e.value.response.status_code == 401
    # persons have no staff push
    person = await api.person_login("440704198506150025")
    assert await refused(**_browser(person)) == 403


async def test_socket_closes_when_the_session_ends(api, clerk):
    aid, _, (login, pw) = clerk
    t = await api.login(login, pw)  # a session of its own, to end
    async with connect(WS, **_browser(t)) as ws:
        await _next(ws, "hello")
        assert (await api.post("/api/v1/auth/logout", t)).status_code == 200
        with pytest.raises(ConnectionClosed) as e:
            async with asyncio.timeout(15):
                while True:
                    await ws.recv()
        assert e.value.rcvd is not None and e.value.rcvd.code == 4401
