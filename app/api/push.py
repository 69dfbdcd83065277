"""The staff push socket (/api/v1/push/ws): channels/push/hub.py behind identity's guard.

Every client offers the subprotocol `arh.push` (the server answers with it). The handshake is
authorised like any staff request: `Authorization: Bearer <token>`, or, from a browser (which
cannot set headers on a websocket), a second subprotocol `arh.token.<token>`. The token never
goes in the URL, which proxies write to their access logs.

Frames, server to client (JSON text):
    {"type": "hello", "unread": 3, "last_id": 41, "heartbeat": 25}   once, after the subscription is live;
                                                       last_id: the newest message the count includes
    {"type": "message", "message": {...}}              a new in-app message (same shape as the list)
    {"type": "read", "ids": [..]} | {"type": "read", "all": true}   read in another tab
    {"type": "resync"}                                 fell behind: reload the list
    {"type": "heartbeat"} every `heartbeat` seconds; {"type": "pong"} answers a client "ping"
Close 4401 when the session ends (logout, idle or absolute timeout, account disabled).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import time

from sanic import Blueprint, Request
from sanic.exceptions import WebsocketClosed
from sanic_ext import openapi
from websockets.exceptions import ConnectionClosed

from app.identity import sessions
from app.identity.guard import actor_of, bearer, staff
from channels.messages.service import unread_state
from channels.push.hub import hub

bp_push = Blueprint("push", url_prefix="/api/v1/push")

PROTOCOL = "arh.push"
HEARTBEAT_SECONDS = 25
SESSION_CHECK_SECONDS = 5
CLOSE_SESSION_ENDED = 4401


def _dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


async def _sender(ws, q: asyncio.Queue, token: str) -> None:  # noqa: ANN001
    beat = time.monotonic()
    while True:
        try:
            payload = await asyncio.wait_for(q.get(), SESSION_CHECK_SECONDS)
        except asyncio.TimeoutError:
            if not await sessions.alive(token):
                await ws.close(CLOSE_SESSION_ENDED, "session ended")
                return
            if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                await ws.send(_dumps({"type": "heartbeat"}))
                beat = time.monotonic()
            continue
        await ws.send(_dumps(payload))


async def _receiver(ws) -> None:  # noqa: ANN001
    while True:
        data = await ws.recv()
        if data is None:
            return
        if isinstance(data, str) and data.strip() in ("ping", '{"type":"ping"}', '{"type": "ping"}'):
            await ws.send(_dumps({"type": "pong"}))


@bp_push.websocket("/ws", subprotocols=[PROTOCOL])
@openapi.exclude()
@staff
async def push_ws(request: Request, ws):  # noqa: ANN001
    actor = actor_of(request)
    token = bearer(request) or ""
    q = await hub.attach(actor.account_id)
    tasks: list[asyncio.Task] = []
    try:
        unread, last_id = await unread_state(actor.account_id)
        await ws.send(_dumps({"type": "hello", "unread": unread, "last_id": last_id,
                              "heartbeat": HEARTBEAT_SECONDS}))
        tasks = [asyncio.create_task(_sender(ws, q, token)), asyncio.create_task(_receiver(ws))]
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in done:
            if (e := t.exception()) is not None and not _closed(e):
                raise e
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await hub.detach(actor.account_id, q)


def _closed(e: BaseException) -> bool:
    return isinstance(e, (ConnectionClosed, WebsocketClosed))


@bp_push.before_server_stop
async def _close_hub(app) -> None:  # noqa: ANN001
    await hub.close()
