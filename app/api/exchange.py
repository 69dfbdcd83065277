"""HTTP API of 数据交换监控 (/api/v1/exchange): messages, statistics, dead letters, replay.

In app/api, not exchange/: the monitor is scoped and guarded by identity, which sits above exchange."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.core.errors import Forbidden, InvalidInput
from app.core.http import flag, json_schema, query
from app.core.lists import Col, ListSpec, respond_list
from app.identity.guard import actor_of, perm
from app.api import exchange_monitor as monitor
from app.identity.scope import scoped
from exchange import schemas as S
from exchange.models import DIRECTIONS, STATUSES, ExchangeMessage
from exchange.partners import INTERFACE_KINDS, MESSAGE_TYPES, PARTNERS

bp_exchange = Blueprint("exchange", url_prefix="/api/v1/exchange")

MESSAGE_LIST = ListSpec(
    title="数据交换报文",
    cols=[
        Col("id", "ID", kind="int", ops=("eq",), sortable=True),
        Col("created_at", "创建时间", kind="datetime", ops=("gte", "lte"), sortable=True),
        Col("direction", "方向", ops=("eq",), choices=DIRECTIONS),
        # Codes filter; the export and the screens show the Chinese names next to them.
        Col("partner", "对方系统代码", ops=("eq", "in"), export=False),
        Col("partner_name", "对方系统", ops=()),
        Col("type", "报文类型代码", ops=("eq", "in", "contains"), sortable=True, export=False),
        Col("type_name", "报文类型", ops=()),
        Col("business_no", "业务编号", ops=("eq", "contains")),
        Col("status", "状态", ops=("eq", "in"), choices=STATUSES, sortable=True),
        Col("attempts", "发送次数", kind="int", ops=("eq", "gte"), sortable=True),
        Col("latency_ms", "耗时(毫秒)", kind="int", ops=("gte", "lte"), sortable=True),
        Col("error_code", "错误代码", ops=("eq", "in"), export=False),
        Col("error_text", "错误说明", ops=()),
        Col("last_error", "原始错误信息", ops=("contains",), export=False),
        Col("message_id", "报文编号", ops=("eq",)),
        Col("correlation_id", "关联报文编号", ops=("eq",)),
        Col("sent_at", "发送时间", kind="datetime", ops=("gte", "lte"), sortable=True),
        Col("finished_at", "完成时间", kind="datetime", ops=("gte", "lte"), sortable=True),
        Col("next_attempt_at", "下次发送时间", kind="datetime", ops=(), sortable=True),
    ],
    serialize=monitor.message_rows, search=["business_no"], default_sort="-id",
)
# A list never loads (and decrypts) bodies.
_LIST_FIELDS = ("id", "direction", "message_id", "correlation_id", "partner", "type", "business_no", "status",
                "attempts", "next_attempt_at", "error_code", "last_error", "key_id", "created_at", "sent_at",
                "finished_at", "latency_ms")


@bp_exchange.get("/messages")
@openapi.summary("数据交换报文查询（按对方系统、类型、方向、状态、业务编号、时间筛选，可导出）")
@query(MESSAGE_LIST.openapi_params())
@openapi.response(200, {"application/json": json_schema(S.MessagePage)})
@perm("exchange.message.read")
async def message_list(request: Request):
    qs = scoped(ExchangeMessage, actor_of(request)).only(*_LIST_FIELDS)
    return await respond_list(request, qs, MESSAGE_LIST)


@bp_exchange.get("/dead-letters")
@openapi.summary("死信报文：多次发送失败、等待人工重新投递的报文")
@query(MESSAGE_LIST.openapi_params())
@openapi.response(200, {"application/json": json_schema(S.MessagePage)})
@perm("exchange.message.read")
async def dead_letters(request: Request):
    qs = scoped(ExchangeMessage, actor_of(request)).filter(direction="out", status="dead").only(*_LIST_FIELDS)
    return await respond_list(request, qs, MESSAGE_LIST)


@bp_exchange.get("/messages/<message_pk:int>")
@openapi.summary("报文详情；内容中的证件号码、手机号等默认脱敏，unmask=1 且有“查看完整个人信息”权限时显示原文并记审计")
@openapi.parameter("unmask", bool, "query", description="显示报文原文（需 pii.view 权限，记审计）")
@openapi.response(200, {"application/json": json_schema(S.MessageDetail)})
@perm("exchange.message.read")
async def message_detail(request: Request, message_pk: int):
    actor = actor_of(request)
    reveal = flag(request, "unmask")
    if reveal and not actor.has("pii.view"):
        raise Forbidden("无权查看完整个人信息")
    return json(await monitor.message_detail(actor, message_pk, reveal))


@bp_exchange.post("/messages/<message_pk:int>/replay")
@openapi.summary("重新投递一条死信报文：状态回到待发送，发送次数清零（记审计）")
@openapi.response(200, {"application/json": json_schema(S.MessageRow)})
@perm("exchange.message.replay")
async def message_replay(request: Request, message_pk: int):
    m = await monitor.replay(actor_of(request), message_pk)
    return json(monitor.message_row(m))


@bp_exchange.get("/stats")
@openapi.summary("统计：各对方系统 × 报文类型 × 状态的数量，各对方系统耗时 p50/p99；另含积压与死信数")
@openapi.parameter("hours", int, "query", description="统计最近多少小时（1–720，默认24）")
@openapi.response(200, {"application/json": json_schema(S.Stats)})
@perm("exchange.message.read")
async def message_stats(request: Request):
    raw = request.args.get("hours") or "24"
    try:
        hours = int(raw)
    except ValueError as e:
        raise InvalidInput("hours 应为整数", fields={"hours": "应为整数"}) from e
    if not 1 <= hours <= 720:
        raise InvalidInput("hours 应在 1 到 720 之间", fields={"hours": "超出范围"})
    return json(await monitor.stats(actor_of(request), hours))


@bp_exchange.get("/partners")
@openapi.summary("对方系统清单（代码、中文名称、接口编号、方向）与报文类型的中文名称")
@openapi.response(200, {"application/json": json_schema(S.PartnerList)})
@perm("exchange.message.read")
async def partner_list(request: Request):
    return json({"items": [{"code": p.code, "name": p.name, "feature": p.feature, "interface": p.direction,
                            "interface_name": INTERFACE_KINDS[p.direction]} for p in PARTNERS.values()],
                 "types": [{"code": c, "name": n} for c, n in MESSAGE_TYPES.items()]})
