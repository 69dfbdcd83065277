"""The sandbox's own pages: a health check and a Chinese page where a person reads what was sent."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import escape
from urllib.parse import quote

from redis.exceptions import RedisError
from sanic import Blueprint, Request, html, json
from sanic.response import HTTPResponse, JSONResponse

from .exchange_pages import section as exchange_section
from .sms import national_mobile, recent_messages

bp = Blueprint("sandbox_home")

# Asia/Shanghai has no daylight saving, so a fixed offset needs no tz database.
SHANGHAI = timezone(timedelta(hours=8))
PROVIDERS_ZH = {"aliyun": "阿里云", "tencent": "腾讯云", "sandbox": "沙箱"}
TEMPLATES_ZH = {"verify_code": "验证码", "notice": "通知"}
REFRESH_SECONDS = 3


@bp.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    # Without Redis nothing can be recorded, so the sandbox is not healthy.
    try:
        await request.app.ctx.redis.ping()
    except RedisError:
        return json({"status": "unavailable"}, status=503)
    return json({"status": "ok"})


def _local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def _row(m: dict) -> str:
    code = m.get("params", {}).get("code") if m.get("template") == "verify_code" else None
    code_cell = f'<span class="code">{escape(code)}</span>' if code else ""
    return (
        "<tr>"
        f"<td>{escape(_local_time(m.get('sent_at', '')))}</td>"
        f"<td>{escape(m.get('phone', ''))}</td>"
        f"<td>{escape(PROVIDERS_ZH.get(m.get('provider', ''), m.get('provider', '')))}</td>"
        f"<td>{escape(TEMPLATES_ZH.get(m.get('template', ''), m.get('template', '')))}</td>"
        f"<td>{code_cell}</td>"
        f"<td>{escape(m.get('text', ''))}</td>"
        "</tr>"
    )


@bp.get("/sandbox/")
async def index(request: Request) -> HTTPResponse:
    phone_arg = request.args.get("phone", "").strip()
    phone = (national_mobile(phone_arg) or phone_arg) if phone_arg else None
    messages = await recent_messages(request.app.ctx.redis, phone, 100)
    rows = "".join(_row(m) for m in messages) or '<tr><td colspan="6" class="empty">暂无短信</td></tr>'
    refresh_url = escape(f"/sandbox/?phone={quote(phone_arg)}") if phone_arg else "/sandbox/"
    return html(f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="{REFRESH_SECONDS};url={refresh_url}">
<title>沙箱 · 短信记录</title>
<style>
body {{ font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 24px; color: #303133; }}
h1 {{ font-size: 20px; }}
p.hint {{ color: #909399; font-size: 13px; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border: 1px solid #ebeef5; padding: 8px 10px; text-align: left; vertical-align: top; }}
th {{ background: #f5f7fa; }}
.code {{ font-size: 20px; font-weight: bold; color: #409eff; letter-spacing: 2px; }}
.empty {{ text-align: center; color: #909399; }}
</style>
</head>
<body>
<h1>江门保租房 · 沙箱短信记录</h1>
<p class="hint">开发与测试环境不会真正发出短信，发往任何手机号的短信都显示在这里。
页面每 {REFRESH_SECONDS} 秒自动刷新，最新的在最上面。</p>
<form method="get" action="/sandbox/">
<label>手机号 <input name="phone" value="{escape(phone_arg)}" placeholder="全部"></label>
<button type="submit">筛选</button> <a href="/sandbox/">查看全部</a>
</form>
<br>
<table>
<thead><tr><th>发送时间</th><th>手机号</th><th>通道</th><th>模板</th><th>验证码</th><th>短信内容</th></tr></thead>
<tbody>{rows}</tbody>
</table>
{await exchange_section(request.app.ctx.redis)}
</body>
</html>""")
