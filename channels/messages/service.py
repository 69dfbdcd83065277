"""In-app messages (站内消息) for staff, and their live push.

Write the rows in the use case's transaction, push them after it commits:

    async with uow() as tx:
        ...
        msgs = await notify([assignee_id], kind="todo", title="新待办：保障房申请 BZSQ-…",
                            link=f"/cases/{case.id}", ref_type="case", ref_id=case.id, using=tx)
    await publish(msgs)

A push never carries more than the row does; a tab that missed one reloads the list.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from app.core.db import conn, uow
from app.core.errors import NotFound
from channels.messages.models import Message
from channels.push import hub

KINDS = {"todo": "待办", "notice": "通知", "alert": "预警", "system": "系统"}


def _clip(text: str | None, n: int) -> str | None:
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def message_out(m: Message) -> dict:
    return {
        "id": m.id, "kind": m.kind, "kind_name": KINDS.get(m.kind, m.kind), "title": m.title, "body": m.body,
        "link": m.link, "ref_type": m.ref_type, "ref_id": m.ref_id, "read": m.read_at is not None,
        "read_at": m.read_at.isoformat() if m.read_at else None,
        "created_at": m.created_at.isoformat() if m.created_at else None,
    }


async def notify(account_ids: Iterable[int], *, kind: str, title: str, body: str | None = None,
                 link: str | None = None, ref_type: str | None = None, ref_id: object = None,
                 using) -> list[Message]:  # noqa: ANN001
    """One message per account (duplicates dropped), written in the caller's transaction `using`.
    Hand the result to `publish()` after the transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}; one of {sorted(KINDS)}")
    if link is not None and not link.startswith("/"):
        raise ValueError("link is an admin route such as /cases/123")
    ids = list(dict.fromkeys(int(a) for a in account_ids))
    out = []
    for aid in ids:
        out.append(await Message.create(
            account_id=aid, kind=kind, title=_clip(title, 255) or "（无标题）", body=body,
            link=_clip(link, 255), ref_type=_clip(ref_type, 32), ref_id=None if ref_id is None else _clip(ref_id, 64),
            using_db=using))
    return out


async def publish(messages: Iterable[Message]) -> int:
    """Push stored messages to their accounts' open tabs, on every API process. Call after commit."""
    return await hub.publish((m.account_id, {"type": "message", "message": message_out(m)}) for m in messages)


async def unread_count(account_id: int) -> int:
    return await Message.filter(account_id=account_id, read_at__isnull=True).count()


async def unread_state(account_id: int) -> tuple[int, int]:
    """(unread count, newest message id) from one snapshot: the bell counts a pushed message only when
    it is newer than that id, so a message committed while a tab connects is not counted twice."""
    rows = await conn().execute_query_dict(
        "SELECT count(*) FILTER (WHERE read_at IS NULL) AS unread, coalesce(max(id), 0) AS last_id "
        "FROM message WHERE account_id = $1", [int(account_id)])
    return int(rows[0]["unread"]), int(rows[0]["last_id"])


async def mark_read(account_id: int, message_id: int) -> Message:
    """Mark one of the account's own messages read (idempotent). Another account's is a 404."""
    async with uow() as tx:
        m = await Message.filter(id=message_id, account_id=account_id).using_db(tx).select_for_update().first()
        if m is None:
            raise NotFound("消息不存在或无权查看", code="MESSAGE_NOT_FOUND")
        if m.read_at is None:
            m.read_at = dt.datetime.now(dt.timezone.utc)
            await m.save(using_db=tx, update_fields=["read_at"])
    await hub.publish([(account_id, {"type": "read", "ids": [m.id]})])
    return m


async def mark_all_read(account_id: int) -> int:
    n = await Message.filter(account_id=account_id, read_at__isnull=True).update(
        read_at=dt.datetime.now(dt.timezone.utc))
    if n:
        await hub.publish([(account_id, {"type": "read", "all": True})])
    return n
