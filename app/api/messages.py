"""站内消息 (/api/v1/messages): the signed-in staff member's own messages."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.core.errors import InvalidInput
from app.core.http import query
from app.core.lists import Col, ListSpec, respond_list
from app.identity.guard import actor_of, staff
from channels.messages import service
from channels.messages.models import Message

bp_messages = Blueprint("messages", url_prefix="/api/v1/messages")


async def _out(rows: list[Message]) -> list[dict]:
    return [service.message_out(m) for m in rows]


MESSAGE_LIST = ListSpec(
    title="站内消息",
    cols=[
        Col("id", "ID", kind="int", ops=("eq", "in"), sortable=True),
        Col("kind", "类型", ops=("eq", "in"), choices=service.KINDS, sortable=True),
        Col("title", "标题", ops=("contains",)),
        Col("body", "内容", ops=("contains",)),
        Col("link", "链接", ops=()),
        Col("ref_type", "关联对象类型", ops=("eq",)),
        Col("ref_id", "关联对象", ops=("eq",)),
        Col("read", "已读", ops=(), export=False),
        Col("read_at", "阅读时间", kind="datetime", ops=("gte", "lte", "isnull"), sortable=True),
        Col("created_at", "时间", kind="datetime", ops=("gte", "lte"), sortable=True),
    ],
    serialize=_out, search=["title", "body"], default_sort="-id", extra_params={"read"},
)


def _read_filter(request: Request, qs):  # noqa: ANN001, ANN202
    """`read=1` read ones, `read=0` unread ones: how the bell and the list ask."""
    raw = (request.args.get("read") or "").lower()
    if raw in ("1", "true", "yes"):
        return qs.filter(read_at__isnull=False)
    if raw in ("0", "false", "no"):
        return qs.filter(read_at__isnull=True)
    if raw:
        raise InvalidInput("read 只能是 1（已读）或 0（未读）", fields={"read": "取值不在允许范围内"})
    return qs


@bp_messages.get("")
@openapi.summary("我的站内消息：按类型、已读/未读、时间筛选，可导出")
@query(MESSAGE_LIST.openapi_params())
@staff
async def message_list(request: Request):
    qs = _read_filter(request, Message.filter(account_id=actor_of(request).account_id))
    return await respond_list(request, qs, MESSAGE_LIST)


@bp_messages.get("/unread-count")
@openapi.summary("我的未读消息数")
@staff
async def message_unread(request: Request):
    unread, last_id = await service.unread_state(actor_of(request).account_id)
    # last_id: the newest message the count includes (the bell does not count its push again).
    return json({"unread": unread, "last_id": last_id})


@bp_messages.post("/<message_id:int>/read")
@openapi.summary("标记一条消息为已读")
@staff
async def message_read(request: Request, message_id: int):
    m = await service.mark_read(actor_of(request).account_id, message_id)
    return json(service.message_out(m))


@bp_messages.post("/read-all")
@openapi.summary("全部标记为已读")
@staff
async def message_read_all(request: Request):
    aid = actor_of(request).account_id
    n = await service.mark_all_read(aid)
    return json({"updated": n, "unread": await service.unread_count(aid)})
