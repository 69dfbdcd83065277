"""HTTP side of the partner stand-ins: faults, the message log, inbound-event triggers, e-receipt pages.

Every trigger takes JSON (tests) or a form (the page at /sandbox/exchange), builds the partner's
push, checks it against the adapter's model so the sandbox never sends what a real partner
could not, and sends it through the envelope to the platform.
"""
from __future__ import annotations

import json as jsonlib
from datetime import UTC, datetime, timedelta
from functools import partial
from html import escape
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, Field, ValidationError
from sanic import Blueprint, Request, html, redirect
from sanic import json as sanic_json
from sanic.exceptions import BadRequest
from sanic.response import HTTPResponse, JSONResponse

from exchange.adapters import access_control, banks, gov_service_platform, real_estate_trading
from exchange.partners import BANKS, PARTNERS

from . import data
from .partners import (
    Fault,
    all_faults,
    clear_fault,
    messages,
    order,
    recent_orders,
    set_fault,
    stored_receipt,
)
from .partners import add_statement_line as book_line

bp = Blueprint("sandbox_exchange")
json = partial(sanic_json, dumps=partial(jsonlib.dumps, ensure_ascii=False, default=str))
SHANGHAI = timedelta(hours=8)
OUTCOMES_ZH = {"received": "已接收", "replied": "已应答", "error": "返回错误", "dropped": "未发送/未应答",
               "rejected": "拒收", "pushed": "已推送"}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return json({"error": {"code": code, "message": message, "fields": {}}}, status=status)


def _input(request: Request) -> tuple[dict[str, Any] | None, bool]:
    """(fields, came from a form). Empty form fields count as absent."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return {k: v[0] for k, v in request.form.items() if v and v[0].strip() != ""}, True
    try:
        body = request.json
    except BadRequest:
        body = None
    return (body if isinstance(body, dict) else None), False


def _done(request: Request, from_form: bool, payload: dict[str, Any], note: str) -> HTTPResponse:
    if from_form:
        return redirect(f"/sandbox/exchange?note={quote(note)}", status=303)
    return json(payload)


def _invalid(e: ValidationError) -> JSONResponse:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "请求"
    return _error(400, "INVALID_INPUT", f"输入有误：{where} {err.get('msg', '')}")


def _partners(request: Request):  # noqa: ANN202
    return getattr(request.app.ctx, "partners", None)


def _offline() -> JSONResponse:
    return _error(503, "EXCHANGE_OFFLINE", "沙箱未连接消息中间件，无法推送（见沙箱日志）")


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- faults and the message log

@bp.get("/sandbox/faults")
async def list_faults(request: Request) -> JSONResponse:
    faults = await all_faults(request.app.ctx.redis)
    return json({"faults": {k: v.model_dump() for k, v in faults.items()}})


async def _set_fault(request: Request, partner: str) -> HTTPResponse:
    if partner not in PARTNERS:
        return _error(404, "UNKNOWN_PARTNER", f"没有这个对方系统：{partner}")
    body, from_form = _input(request)
    if body is None:
        return _error(400, "INVALID_INPUT", "请求体应为 JSON 对象")
    if from_form:
        body = {k: (v == "on" if k in ("drop", "duplicate", "corrupt_signature") else v)
                for k, v in body.items() if k != "partner"}
    try:
        fault = Fault.model_validate(body)
    except ValidationError as e:
        return _invalid(e)
    await set_fault(request.app.ctx.redis, partner, fault)
    return _done(request, from_form, {"partner": partner, "fault": fault.model_dump()},
                 f"已为{PARTNERS[partner].name}设置故障")


@bp.post("/sandbox/faults/<partner:str>")
async def put_fault(request: Request, partner: str) -> HTTPResponse:
    return await _set_fault(request, partner)


@bp.post("/sandbox/faults")
async def put_fault_form(request: Request) -> HTTPResponse:
    body, _ = _input(request)
    return await _set_fault(request, str((body or {}).get("partner", "")))


@bp.delete("/sandbox/faults/<partner:str>")
async def delete_fault(request: Request, partner: str) -> JSONResponse:
    if partner not in PARTNERS:
        return _error(404, "UNKNOWN_PARTNER", f"没有这个对方系统：{partner}")
    await clear_fault(request.app.ctx.redis, partner)
    return json({"partner": partner, "fault": None})


@bp.post("/sandbox/faults/<partner:str>/clear")
async def clear_fault_form(request: Request, partner: str) -> HTTPResponse:
    if partner in PARTNERS:
        await clear_fault(request.app.ctx.redis, partner)
    return redirect(f"/sandbox/exchange?note={quote('已清除故障')}", status=303)


@bp.get("/sandbox/exchange/messages")
async def list_messages(request: Request) -> JSONResponse:
    try:
        limit = int(request.args.get("limit", "100"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 500:
        return _error(400, "INVALID_INPUT", "limit 应为 1 到 500 的整数")
    items = await messages(request.app.ctx.redis, partner=request.args.get("partner") or None,
                           type=request.args.get("type") or None,
                           business_no=request.args.get("business_no") or None, limit=limit)
    return json({"items": items})


# ---------------------------------------------------------------- triggers: bank payment results

class PaymentTrigger(BaseModel):
    business_no: str = Field(min_length=1, max_length=64)
    status: Literal["paid", "failed"] = "paid"
    amount_fen: int | None = Field(None, gt=0)
    collection_account: str | None = Field(None, pattern=r"^\d{10,30}$")
    payer_name: str = Field("沙箱付款人", max_length=64)
    payer_account: str = Field("6222020200112233445", pattern=r"^\d{10,30}$")


@bp.post("/sandbox/banks/<bank:str>/payments")
async def trigger_payment(request: Request, bank: str) -> HTTPResponse:
    """A payment result for a collection order (and, when paid, the statement line it made)."""
    if bank not in BANKS:
        return _error(404, "UNKNOWN_PARTNER", f"没有这家银行：{bank}")
    partners = _partners(request)
    if partners is None:
        return _offline()
    body, from_form = _input(request)
    try:
        t = PaymentTrigger.model_validate(body or {})
    except ValidationError as e:
        return _invalid(e)
    known = await order(request.app.ctx.redis, bank, t.business_no)
    amount = t.amount_fen or (known.amount_fen if known else None)
    account = t.collection_account or (known.collection_account if known else None)
    if amount is None or account is None:
        return _error(400, "ORDER_NOT_FOUND", "银行没有收到这笔收款指令，请填写金额和收款账号")
    now = _now()
    pushed = []
    if t.status == "paid":
        line = await book_line(request.app.ctx.redis, bank, account, amount_fen=amount, direction="credit",
                               counterparty_name=t.payer_name, counterparty_account=t.payer_account,
                               summary=known.description if known else "收款", business_no=t.business_no, at=now)
        result = {"business_no": t.business_no, "status": "paid", "amount_fen": amount,
                  "bank_txn_no": line["txn_no"], "paid_at": line["txn_at"], "payer_account": t.payer_account}
    else:
        line = None
        result = {"business_no": t.business_no, "status": "failed", "amount_fen": amount,
                  "bank_txn_no": f"{bank[5:].upper()}F{data.digits(t.business_no + now.isoformat(), 12)}",
                  "failure_reason": "付款人取消支付"}
    banks.PaymentResult.model_validate(result)
    pushed.append(await partners.push(bank, banks.T_PAYMENT_RESULT, result, business_no=t.business_no))
    if line is not None:
        lines = {"account_no": account, "date": (now + SHANGHAI).date().isoformat(), "lines": [line]}
        banks.StatementLines.model_validate(lines)
        pushed.append(await partners.push(bank, banks.T_STATEMENT_LINES, lines, business_no=t.business_no))
    return _done(request, from_form, {"pushed": pushed}, f"{PARTNERS[bank].name}已推送支付结果 {t.business_no}")


# ---------------------------------------------------------------- triggers: access events

class AccessTrigger(BaseModel):
    person_id_number: str = Field(min_length=15, max_length=18)
    person_name: str | None = Field(None, max_length=64)
    community_code: str = Field("JMP0001", min_length=1, max_length=32)
    door: str = Field("1栋大门", min_length=1, max_length=64)
    direction: Literal["in", "out"] = "in"
    occurred_at: datetime | None = None
    count: int = Field(1, ge=1, le=50, description="连续几次通行，进出交替，每次相隔 1 分钟")


@bp.post("/sandbox/access/events")
async def trigger_access(request: Request) -> HTTPResponse:
    partners = _partners(request)
    if partners is None:
        return _offline()
    body, from_form = _input(request)
    try:
        t = AccessTrigger.model_validate(body or {})
    except ValidationError as e:
        return _invalid(e)
    start = t.occurred_at or _now()
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC) - SHANGHAI  # a form's local time is Shanghai time
    events = []
    for i in range(t.count):
        at = start + timedelta(minutes=i)
        direction = t.direction if i % 2 == 0 else ("out" if t.direction == "in" else "in")
        events.append({"event_id": f"AE{data.digits(f'{t.person_id_number}:{t.door}:{at.isoformat()}', 14)}",
                       "person_id_number": t.person_id_number.upper(), "person_name": t.person_name,
                       "door": t.door, "community_code": t.community_code,
                       "occurred_at": at.isoformat(timespec="seconds"), "direction": direction, "method": "face"})
    body_out = {"events": events}
    access_control.AccessEvents.model_validate(body_out)
    entry = await partners.push(access_control.PARTNER, access_control.T_ACCESS_EVENTS, body_out)
    return _done(request, from_form, {"pushed": [entry]}, f"已推送 {len(events)} 条门禁记录")


# ---------------------------------------------------------------- triggers: sale contracts (REA-02/03)

class ContractTrigger(BaseModel):
    kind: Literal["new", "second_hand"] = "new"
    buyer_name: str = Field(min_length=1, max_length=64)
    buyer_id_number: str = Field(min_length=15, max_length=18)
    seller_name: str | None = Field(None, max_length=64)
    seller_id_number: str | None = Field(None, max_length=18)
    register_id: str | None = Field(None, min_length=28, max_length=28)
    price_fen: int | None = Field(None, gt=0)
    contract_no: str | None = Field(None, max_length=64)


def sale_contract(t: ContractTrigger, now: datetime) -> dict[str, Any]:
    """The body the trading system pushes for a filed contract. New homes are sold by the developer;
    a second-hand sale needs the seller (default: the persona who owns a flat in 蓬江区)."""
    if t.kind == "new":
        rid = t.register_id or data.register_id(data.PROJECTS[2], 1, 8, 2)
        found = data.find_unit(rid)
        if found is None:
            raise ValueError("楼盘表中没有该不动产单元号")
        project, unit = found
        sellers = [{"name": project.developer, "id_number": project.developer_credit_code}]
        building = next(b for b in data.project_table(project)["buildings"]
                        if any(u["register_id"] == rid for u in b["units"]))
        address = f"{project.address}{building['name']}{unit['room_no']}"
        area, prefix = unit["building_area"], "XS"
    else:
        owner = data.PERSONAS[data.id_number("44070319850312101")]
        prop = owner.properties[0]
        sellers = [{"name": t.seller_name or owner.name, "id_number": (t.seller_id_number or owner.id_number).upper()}]
        rid, address, area, prefix = t.register_id or prop["register_id"], prop["address"], prop["building_area"], "CL"
    signed = (now + SHANGHAI).date()
    contract_no = t.contract_no or f"{prefix}{signed:%Y%m%d}{data.digits(f'{t.buyer_id_number}:{rid}:{now.isoformat()}', 6)}"
    price = t.price_fen or int(float(area) * 1_200_000)  # about 12,000 yuan per m²
    return {"kind": t.kind, "contract_no": contract_no, "signed_on": signed.isoformat(),
            "filed_at": now.isoformat(timespec="seconds"),
            "buyers": [{"name": t.buyer_name, "id_number": t.buyer_id_number.upper()}], "sellers": sellers,
            "unit": {"register_id": rid, "address": address, "building_area": area, "usage": "住宅"},
            "price_fen": price, "matched_id_numbers": [t.buyer_id_number.upper()]}


@bp.post("/sandbox/real_estate_trading/contracts")
async def trigger_contract(request: Request) -> HTTPResponse:
    partners = _partners(request)
    if partners is None:
        return _offline()
    body, from_form = _input(request)
    try:
        t = ContractTrigger.model_validate(body or {})
    except ValidationError as e:
        return _invalid(e)
    try:
        contract = sale_contract(t, _now())
    except ValueError as e:
        return _error(400, "UNIT_NOT_FOUND", str(e))
    real_estate_trading.SaleContract.model_validate(contract)
    type_ = real_estate_trading.T_SALE_CONTRACT_NEW if t.kind == "new" \
        else real_estate_trading.T_SALE_CONTRACT_SECOND_HAND
    entry = await partners.push(real_estate_trading.PARTNER, type_, contract, business_no=contract["contract_no"])
    return _done(request, from_form, {"pushed": [entry], "contract": contract},
                 f"已推送{'商品房' if t.kind == 'new' else '存量房'}合同 {contract['contract_no']}")


# ---------------------------------------------------------------- triggers: accepted cases (INT-08)

def application_pdf(title: str) -> bytes:
    """A one-page PDF with a correct cross-reference table, standing in for a scanned form."""
    text = title.encode("ascii", "replace").decode()
    stream = f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode()
    objs = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
            b"<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream",
            b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj".encode() + obj + b"endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer<</Size {len(objs) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class CaseTrigger(BaseModel):
    applicant_name: str = Field(min_length=1, max_length=64)
    applicant_id_number: str = Field(min_length=15, max_length=18)
    phone: str | None = Field(None, pattern=r"^1[3-9]\d{9}$")
    business_type: str = Field("eligibility_application", max_length=64)
    item_name: str = Field("保障性租赁住房资格申请", max_length=64)


def accepted_case(t: CaseTrigger, now: datetime) -> dict[str, Any]:
    day = (now + SHANGHAI).date()
    case_no = f"JMZW{day:%Y%m%d}{data.digits(f'{t.applicant_id_number}:{now.isoformat()}', 6)}"
    pdf = application_pdf(f"Application {case_no}")
    f = gov_service_platform.ElectronicFile.of("申请表.pdf", "application/pdf", pdf)
    return {"case_no": case_no, "business_type": t.business_type, "item_name": t.item_name,
            "accepted_at": now.isoformat(timespec="seconds"), "accepted_by": "江门市政务服务中心住房保障窗口",
            "applicant": {"name": t.applicant_name, "id_number": t.applicant_id_number.upper(), "phone": t.phone},
            "co_applicants": [], "form": {"household_size": 1, "reason": "在江门工作，无自有住房"},
            "files": [f.model_dump()]}


@bp.post("/sandbox/gov_service_platform/cases")
async def trigger_case(request: Request) -> HTTPResponse:
    partners = _partners(request)
    if partners is None:
        return _offline()
    body, from_form = _input(request)
    try:
        t = CaseTrigger.model_validate(body or {})
    except ValidationError as e:
        return _invalid(e)
    case = accepted_case(t, _now())
    gov_service_platform.AcceptedCase.model_validate(case)
    entry = await partners.push(gov_service_platform.PARTNER, gov_service_platform.T_CASE_ACCEPTED, case,
                                business_no=case["case_no"])
    return _done(request, from_form, {"pushed": [entry], "case_no": case["case_no"]},
                 f"已推送受理件 {case['case_no']}")


# ---------------------------------------------------------------- e-receipt view page (INT-11)

def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


@bp.get("/sandbox/e-receipt/<receipt_no:str>")
async def receipt_page(request: Request, receipt_no: str) -> HTTPResponse:
    stored = await stored_receipt(request.app.ctx.redis, receipt_no)
    if stored is None or request.args.get("check") != stored["receipt"]["check_code"]:
        return html("<!doctype html><meta charset='utf-8'><title>票据不存在</title><p>票据不存在或校验码错误</p>",
                    status=404)
    r, q = stored["receipt"], stored["request"]
    items = "".join(f"<tr><td>{escape(i['name'])}</td><td>{_yuan(i['amount_fen'])}</td></tr>" for i in q["items"])
    return html(f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>电子票据 {escape(r['receipt_no'])}</title>
<style>body{{font-family:"Noto Sans CJK SC",sans-serif;margin:24px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:6px 10px}}</style></head><body>
<h1>广东省非税收入电子票据（沙箱）</h1>
<p>票据代码 {escape(r['receipt_code'])}　票据号码 <b class="receipt-no">{escape(r['receipt_no'])}</b>　校验码 {escape(r['check_code'])}</p>
<p>交款人 {escape(q['payer_name'])}　收款单位 {escape(q['payee_name'])}　业务编号 {escape(r['business_no'])}</p>
<table><tr><th>项目</th><th>金额（元）</th></tr>{items}
<tr><td>合计</td><td class="total">{_yuan(r['amount_fen'])}</td></tr></table>
<p>开票时间 {escape(r['issued_at'])}</p></body></html>""")


# ---------------------------------------------------------------- pages

def _local(iso: str | None) -> str:
    try:
        return (datetime.fromisoformat(iso or "") + SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso or ""


def _message_rows(items: list[dict[str, Any]]) -> str:
    rows = []
    for m in items:
        partner = PARTNERS.get(m["partner"])
        body = jsonlib.dumps(m.get("body"), ensure_ascii=False)[:300] if m.get("body") is not None else ""
        arrow = "平台 → 对方" if m["direction"] == "in" else "对方 → 平台"
        rows.append(
            "<tr>"
            f"<td>{escape(_local(m['at']))}</td><td>{escape(partner.name if partner else m['partner'])}</td>"
            f"<td>{arrow}</td><td>{escape(m['type'])}</td>"
            f"<td>{escape(OUTCOMES_ZH.get(m['outcome'], m['outcome']))}</td>"
            f"<td>{escape(m.get('business_no') or '')}</td><td>{escape(m.get('detail') or '')}</td>"
            f"<td class='body'>{escape(body)}</td></tr>")
    return "".join(rows) or '<tr><td colspan="8" class="empty">暂无报文</td></tr>'


MESSAGE_HEAD = ("<thead><tr><th>时间</th><th>对方系统</th><th>方向</th><th>报文类型</th><th>结果</th>"
                "<th>业务编号</th><th>说明</th><th>内容（节选）</th></tr></thead>")


async def section(redis) -> str:  # noqa: ANN001
    """The exchange part of /sandbox/: the latest messages and a link to the triggers."""
    items = await messages(redis, limit=30)
    return (f'<h2>数据交换报文（最近 {len(items)} 条）</h2>'
            '<p class="hint"><a href="/sandbox/exchange">触发入站事件、设置故障、查看全部报文</a></p>'
            f'<table class="exchange">{MESSAGE_HEAD}<tbody>{_message_rows(items)}</tbody></table>')


def _options(pairs: list[tuple[str, str]], selected: str = "") -> str:
    return "".join(f'<option value="{escape(v)}"{" selected" if v == selected else ""}>{escape(t)}</option>'
                   for v, t in pairs)


@bp.get("/sandbox/exchange")
async def exchange_page(request: Request) -> HTTPResponse:
    redis = request.app.ctx.redis
    note = request.args.get("note", "")
    items = await messages(redis, partner=request.args.get("partner") or None, limit=200)
    faults = await all_faults(redis)
    orders = await recent_orders(redis)
    bank_opts = _options([(b, PARTNERS[b].name) for b in BANKS])
    partner_opts = _options([(c, p.name) for c, p in PARTNERS.items()])
    fault_rows = "".join(
        f"<tr><td>{escape(PARTNERS[c].name)}</td><td>{escape(f.model_dump_json())}</td>"
        f'<td><form method="post" action="/sandbox/faults/{c}/clear"><button>清除</button></form></td></tr>'
        for c, f in faults.items()) or '<tr><td colspan="3" class="empty">没有故障</td></tr>'
    order_rows = "".join(
        f"<tr><td>{escape(PARTNERS[b].name)}</td><td>{escape(o.business_no)}</td><td>{_yuan(o.amount_fen)}</td>"
        f"<td>{escape(o.payer_name)}</td><td>{escape(o.description)}</td>"
        f'<td><form method="post" action="/sandbox/banks/{b}/payments">'
        f'<input type="hidden" name="business_no" value="{escape(o.business_no)}"><button>付款成功</button></form></td></tr>'
        for b, o in orders) or '<tr><td colspan="6" class="empty">银行尚未收到收款指令</td></tr>'
    personas = "".join(f"<tr><td>{escape(p.id_number)}</td><td>{escape(p.name)}</td><td>{escape(p.situation)}</td></tr>"
                       for p in data.PERSONAS.values())
    online = _partners(request) is not None
    return html(f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>沙箱 · 数据交换</title>
<style>
body {{ font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 24px; color: #303133; }}
h1 {{ font-size: 20px; }} h2 {{ font-size: 16px; margin-top: 28px; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
th, td {{ border: 1px solid #ebeef5; padding: 6px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f5f7fa; }} td.body {{ font-family: monospace; font-size: 12px; word-break: break-all; }}
.empty {{ text-align: center; color: #909399; }} .note {{ color: #67c23a; }} .warn {{ color: #f56c6c; }}
form.trigger {{ border: 1px solid #ebeef5; padding: 10px; margin: 8px 0; }}
form.trigger label {{ margin-right: 12px; }}
</style></head><body>
<h1>江门保租房 · 沙箱数据交换</h1>
<p><a href="/sandbox/">返回短信记录</a></p>
{f'<p class="note">{escape(note)}</p>' if note else ''}
{'' if online else '<p class="warn">沙箱未连接消息中间件，不能推送入站事件。</p>'}
<h2>触发入站事件</h2>
<form class="trigger" id="payment-form" method="post" action="/sandbox/banks/bank_icbc/payments"
      onsubmit="this.action='/sandbox/banks/'+this.bank.value+'/payments'">
<b>银行支付结果</b>
<label>银行 <select name="bank">{bank_opts}</select></label>
<label>业务编号 <input name="business_no" required></label>
<label>金额（分） <input name="amount_fen" placeholder="默认取收款指令"></label>
<label>收款账号 <input name="collection_account" placeholder="默认取收款指令"></label>
<label>结果 <select name="status"><option value="paid">支付成功</option><option value="failed">支付失败</option></select></label>
<button type="submit">推送</button></form>
<form class="trigger" id="access-form" method="post" action="/sandbox/access/events">
<b>门禁通行记录</b>
<label>证件号码 <input name="person_id_number" required></label>
<label>姓名 <input name="person_name"></label>
<label>小区编码 <input name="community_code" value="JMP0001"></label>
<label>门禁点 <input name="door" value="1栋大门"></label>
<label>方向 <select name="direction"><option value="in">进</option><option value="out">出</option></select></label>
<label>次数 <input name="count" value="1" size="3"></label>
<button type="submit">推送</button></form>
<form class="trigger" id="contract-form" method="post" action="/sandbox/real_estate_trading/contracts">
<b>房屋买卖合同</b>
<label>类型 <select name="kind"><option value="new">商品房（REA-02）</option><option value="second_hand">存量房（REA-03）</option></select></label>
<label>买方姓名 <input name="buyer_name" required></label>
<label>买方证件号码 <input name="buyer_id_number" required></label>
<label>卖方姓名 <input name="seller_name" placeholder="存量房可填"></label>
<label>卖方证件号码 <input name="seller_id_number"></label>
<button type="submit">推送</button></form>
<form class="trigger" id="case-form" method="post" action="/sandbox/gov_service_platform/cases">
<b>政务平台受理件</b>
<label>申请人 <input name="applicant_name" required></label>
<label>证件号码 <input name="applicant_id_number" required></label>
<label>手机号 <input name="phone"></label>
<button type="submit">推送</button></form>
<h2>银行收到的收款指令</h2>
<table><thead><tr><th>银行</th><th>业务编号</th><th>金额（元）</th><th>付款人</th><th>摘要</th><th></th></tr></thead>
<tbody>{order_rows}</tbody></table>
<h2>故障注入</h2>
<form class="trigger" method="post" action="/sandbox/faults">
<label>对方系统 <select name="partner">{partner_opts}</select></label>
<label>延迟（毫秒） <input name="delay_ms" value="0" size="6"></label>
<label><input type="checkbox" name="drop"> 不应答</label>
<label><input type="checkbox" name="duplicate"> 重复发送</label>
<label><input type="checkbox" name="corrupt_signature"> 篡改签名</label>
<label>错误代码 <input name="error_code" size="12"></label>
<button type="submit">设置</button></form>
<table><thead><tr><th>对方系统</th><th>故障</th><th></th></tr></thead><tbody>{fault_rows}</tbody></table>
<h2>报文（最近 {len(items)} 条，最新在上）</h2>
<table>{MESSAGE_HEAD}<tbody>{_message_rows(items)}</tbody></table>
<h2>预设人员（证件号码 → 情形）</h2>
<table><thead><tr><th>证件号码</th><th>姓名</th><th>情形</th></tr></thead><tbody>{personas}</tbody></table>
</body></html>""")
