"""The public verify page the QR code on every document opens: plain HTML, phone-sized, Chinese."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup

from app.documents.models import IssuedDocument
from app.documents.schemas import STATUS

CN = ZoneInfo("Asia/Shanghai")
_ENV = Environment(autoescape=True)
# The platform's icon (admin/public/favicon.svg) inline: without one the browser asks for
# /favicon.ico, gets a 404 and logs it in the console of the person checking a document.
_ICON_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" '
             'fill="#0d3a7a"/><path d="M12 32 32 14l20 18h-6v18H38V38H26v12H18V32z" fill="#fff"/></svg>')
FAVICON = "data:image/svg+xml," + quote(_ICON_SVG, safe="")

_LAYOUT = _ENV.from_string("""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{ title }} - 江门市保障性租赁住房管理平台</title>
<link rel="icon" type="image/svg+xml" href="{{ favicon }}">
<style>
  * { box-sizing: border-box; }
  body { margin: 0; background: #f2f3f5; color: #1f2329; font: 15px/1.6 -apple-system, "PingFang SC",
         "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
  header { background: #b4232a; color: #fff; padding: 14px 16px; }
  header .p { font-size: 13px; opacity: .85; }
  header h1 { margin: 2px 0 0; font-size: 18px; font-weight: 600; }
  main { max-width: 640px; margin: 0 auto; padding: 12px; }
  .card { background: #fff; border-radius: 8px; padding: 16px; margin-bottom: 12px; }
  .status { display: flex; align-items: center; gap: 12px; }
  .badge { flex: none; width: 56px; height: 56px; border-radius: 50%; display: flex; align-items: center;
           justify-content: center; font-size: 26px; color: #fff; }
  .ok .badge { background: #2e9d4f; } .bad .badge { background: #c62828; }
  .status .t { font-size: 20px; font-weight: 600; }
  .ok .t { color: #2e9d4f; } .bad .t { color: #c62828; }
  .status .s { color: #646a73; font-size: 13px; }
  dl { margin: 0; }
  dt { color: #646a73; font-size: 13px; margin-top: 10px; }
  dt:first-child { margin-top: 0; }
  dd { margin: 2px 0 0; word-break: break-all; }
  .hash { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
  .note { color: #646a73; font-size: 13px; }
  .reason { margin-top: 8px; padding: 8px 10px; background: #fdecec; border-radius: 6px; color: #8a1c1c; }
  label.btn { display: inline-block; margin-top: 8px; padding: 6px 14px; border: 1px solid #b4232a;
              color: #b4232a; border-radius: 6px; cursor: pointer; }
  #cmp-result { margin-top: 8px; font-weight: 600; }
  footer { text-align: center; color: #8f959e; font-size: 12px; padding: 8px 0 24px; }
</style>
</head>
<body>
<header><div class="p">江门市保障性租赁住房管理平台</div><h1>电子文书核验</h1></header>
<main>
{{ body }}
</main>
<footer>江门市住房和城乡建设局 主办</footer>
</body>
</html>
""")

_FOUND = _ENV.from_string("""
<section class="card status {{ 'ok' if valid else 'bad' }}">
  <div class="badge">{{ '✓' if valid else '✕' }}</div>
  <div>
    <div class="t">{{ status_name }}</div>
    <div class="s">{% if valid %}该文书由本平台出具，当前有效{% else %}该文书已于 {{ revoked_at }} 作废，不再具有效力{% endif %}</div>
  </div>
</section>
{% if not valid and reason %}<section class="card"><div class="note">作废原因</div><div class="reason">{{ reason }}</div></section>{% endif %}
<section class="card">
  <dl>
    <dt>文书名称</dt><dd>{{ d.title }}</dd>
    <dt>文书编号</dt><dd>{{ d.number }}</dd>
    <dt>出具单位</dt><dd>{{ d.issuer_org_name }}</dd>
    <dt>出具时间</dt><dd>{{ issued_at }}</dd>
    <dt>文件指纹（SHA-256）</dt><dd class="hash">{{ d.sha256 }}</dd>
  </dl>
</section>
<section class="card note">
  请核对您手中文书的名称、编号与本页一致。电子文书（PDF）加盖了{{ d.issuer_org_name }}的电子印章，
  可在 PDF 阅读器的“签名”面板查看签章是否有效；文件内容被改动过，签章即显示无效。
  <div id="cmp" hidden data-sha256="{{ d.sha256 }}">
    <label class="btn">选择 PDF 文件比对指纹<input id="cmp-file" type="file" accept="application/pdf" hidden></label>
    <div id="cmp-result"></div>
  </div>
</section>
<script src="/static/verify.js"></script>
""")

_MISSING = _ENV.from_string("""
<section class="card status bad">
  <div class="badge">?</div>
  <div><div class="t">未找到该文书</div>
  <div class="s">本平台没有编号对应的电子文书。请确认二维码或链接完整；如对文书真伪有疑问，请联系出具单位核实。</div></div>
</section>
""")


def _local(v: dt.datetime | None) -> str:
    return v.astimezone(CN).strftime("%Y-%m-%d %H:%M:%S") if v else ""


def verify_html(d: IssuedDocument) -> str:
    valid = d.status == "valid"
    body = _FOUND.render(d=d, valid=valid, status_name=STATUS.get(d.status, d.status), reason=d.revoked_reason,
                         revoked_at=_local(d.revoked_at), issued_at=_local(d.issued_at))
    return _LAYOUT.render(title=f"{d.title} {d.number}", body=Markup(body), favicon=FAVICON)


def missing_html() -> str:
    return _LAYOUT.render(title="未找到该文书", body=Markup(_MISSING.render()), favicon=FAVICON)
