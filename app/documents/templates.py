"""Document templates: admin-edited HTML rendered by a sandboxed Jinja2, saved as versions.

Admins write HTML with `{{ case.applicant_name }}`-style fields. The sandbox refuses
private and internal attributes (`''.__class__`), calls of unsafe callables and changes to
the context; on top of it this module bounds what a template can cost: oversized
repetition, huge numeric arguments, output size and render time. Every error names the
template line in Chinese, so the editor can show it next to the code.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import re
import sys
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from app.core import audit
from app.core.db import conn as default_conn
from app.core.db import uow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.money import format_yuan
from app.core.pii import mask_id_number, mask_name, mask_phone
from app.documents.context import preview_context
from app.documents.models import DocumentTemplate

CN = ZoneInfo("Asia/Shanghai")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
RESERVED_KEYS = {"preview"}  # would shadow POST /document-templates/preview
MAX_SOURCE = 200_000  # characters of template HTML
MAX_OUTPUT = 2_000_000  # characters of rendered HTML
MAX_REPEAT = 20_000  # longest string or list a template may build with * or %
MAX_INT_ARG = 10_000  # largest integer passed to a filter or method (widths, counts)
RENDER_SECONDS = 3.0
_FILENAME = "<template>"
_TPL_FIELDS = ["key", "version", "name", "case_type", "enabled"]


class RenderTimeout(Exception):
    pass


class OutputTooLarge(Exception):
    pass


# ---- filters available to templates -----------------------------------------------------------

def _as_datetime(v: Any) -> dt.datetime | dt.date | None:
    if isinstance(v, (dt.datetime, dt.date)):
        return v
    if isinstance(v, str) and v.strip():
        s = v.strip().replace("Z", "+00:00")
        try:
            return dt.datetime.fromisoformat(s) if len(s) > 10 else dt.date.fromisoformat(s)
        except ValueError:
            return None
    return None


def _local(v: dt.datetime | dt.date) -> dt.datetime | dt.date:
    # Stored times are UTC; documents show Beijing time. Naive values are taken as already local.
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(CN)
    return v


def cn_date(v: Any) -> str:
    """2026-11-26 / ISO datetime -> 2026年11月26日 (GB/T 9704 writes dates in Arabic numerals)."""
    d = _as_datetime(v)
    if d is None:
        return "" if v is None else str(v)
    d = _local(d)
    return f"{d.year}年{d.month}月{d.day}日"


def cn_datetime(v: Any) -> str:
    d = _as_datetime(v)
    if d is None:
        return "" if v is None else str(v)
    d = _local(d)
    if not isinstance(d, dt.datetime):
        return cn_date(d)
    return f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}"


def yuan(fen: Any) -> str:
    """Integer fen -> 1,580.00 (app.core.money); anything else is shown as it is."""
    try:
        f = int(fen)
    except (TypeError, ValueError):
        return "" if fen is None else str(fen)
    return format_yuan(f)


def _str_or_empty(fn: Callable[[str | None], str | None]) -> Callable[[Any], str]:
    def wrapped(v: Any) -> str:
        return fn(None if v is None else str(v)) or ""
    return wrapped


FILTERS = {"cn_date": cn_date, "cn_datetime": cn_datetime, "yuan": yuan,
           "mask_id": _str_or_empty(mask_id_number), "mask_phone": _str_or_empty(mask_phone),
           "mask_name": _str_or_empty(mask_name)}


# ---- the sandbox -----------------------------------------------------------------------------

def _check_ints(args: tuple, kwargs: dict) -> None:
    for a in (*args, *kwargs.values()):
        if isinstance(a, int) and not isinstance(a, bool) and abs(a) > MAX_INT_ARG:
            raise SecurityError(f"数值参数 {a} 过大（不超过 {MAX_INT_ARG}）")


def _check_widths(fmt: Any) -> None:
    """`'%0999999999d'` or `'{:>999999999}'` would allocate gigabytes in C, past any time check."""
    if isinstance(fmt, str) and any(int(w) > MAX_INT_ARG for w in re.findall(r"(?:%[-+ #0]*|:[^{}]*?)(\d+)", fmt)):
        raise SecurityError("格式化宽度过大")


def _capped_filter(name: str, fn: Callable) -> Callable:
    # Context/environment filters get that object first, then the value: only the rest are arguments.
    skip = 2 if getattr(fn, "jinja_pass_arg", None) is not None else 1

    @functools.wraps(fn)  # keeps jinja's pass_context/pass_environment marker
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _check_ints(args[skip:], kwargs)
        if name == "format":
            _check_widths(args[skip - 1] if len(args) >= skip else None)
        return fn(*args, **kwargs)
    return wrapped


_PADDING_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}


class _Sandbox(ImmutableSandboxedEnvironment):
    # Intercepting these also stops Jinja folding `9 ** 9 ** 9` at compile time.
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:  # noqa: ANN001
        if operator == "*":
            seq, n = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_REPEAT:
                raise SecurityError(f"重复生成的内容过长（不超过 {MAX_REPEAT}）")
        elif operator == "**":
            if isinstance(right, int) and (abs(right) > 64 or (
                    isinstance(left, int) and left.bit_length() * abs(right) > 4096)):
                raise SecurityError("乘方的指数过大")
        elif operator == "%":
            _check_widths(left)
        out = super().call_binop(context, operator, left, right)
        if isinstance(out, (str, list, tuple)) and len(out) > MAX_OUTPUT:
            raise SecurityError("生成的内容过长")
        return out

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        # Jinja returns a blank for an unsafe attribute; an escape attempt should be refused, not hidden.
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe.")

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN001, N805
        if isinstance(getattr(__obj, "__self__", None), str):
            name = getattr(__obj, "__name__", "")
            if name in _PADDING_METHODS:
                _check_ints(args, kwargs)
            elif name in ("format", "format_map"):
                _check_widths(__obj.__self__)
        return super().call(__context, __obj, *args, **kwargs)


def _env() -> _Sandbox:
    env = _Sandbox(autoescape=True, undefined=ChainableUndefined, trim_blocks=True, lstrip_blocks=True,
                   auto_reload=False, cache_size=0)
    env.globals.pop("lipsum", None)  # generates text of any length
    env.filters.update(FILTERS)
    env.filters = {k: _capped_filter(k, f) for k, f in env.filters.items()}
    return env


ENV = _env()


# ---- errors in Chinese, with the line ---------------------------------------------------------

_SYNTAX_ZH = [
    (re.compile(r"unexpected end of template"), "模板意外结束，可能缺少 {% endif %}、{% endfor %} 或右括号"),
    (re.compile(r"Unexpected end of template.*'(end\w+)'"), "缺少结束标签 {{% {0} %}}"),
    (re.compile(r"Encountered unknown tag '(\w+)'.*'(end\w+)'"), "遇到多余或不匹配的标签“{0}”，需要先用 {{% {1} %}} 结束"),
    (re.compile(r"Encountered unknown tag '(\w+)'"), "不认识的标签“{0}”"),
    (re.compile(r"unexpected '(.+?)'"), "此处不应出现“{0}”"),
    (re.compile(r"expected token '(.+?)', got '(.+?)'"), "此处应为“{0}”，实际是“{1}”"),
    (re.compile(r"No filter named '(.+?)'"), "没有名为“{0}”的过滤器"),
    (re.compile(r"No test named '(.+?)'"), "没有名为“{0}”的判断"),
    (re.compile(r"unexpected char '(.+?)'"), "不允许的字符“{0}”"),
]


def _zh_syntax(msg: str) -> str:
    for pat, zh in _SYNTAX_ZH:
        m = pat.search(msg)
        if m:
            return zh.format(*m.groups())
    return msg


def _template_line(exc: BaseException) -> int | None:
    """The template line the error happened on: Jinja rewrites tracebacks to template lines."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _fail(msg: str, line: int | None, code: str = "TEMPLATE_INVALID") -> InvalidInput:
    where = f"模板第 {line} 行" if line else "模板"
    return InvalidInput(f"{where}：{msg}", code=code, fields={"html": f"{where}：{msg}"})


def _security_message(e: SecurityError) -> str:
    text = str(e)
    m = re.search(r"attribute '([^']+)'", text)
    if m:
        return f"不允许访问内部属性“{m.group(1)}”（安全限制）"
    if "not safely callable" in text:
        return "不允许调用该方法（安全限制）"
    if "unsafe" in text or "modif" in text:
        return "不允许的操作（安全限制）"
    return f"{text}（安全限制）" if re.search(r"[\u4e00-\u9fff]", text) else "不允许的操作（安全限制）"


def _static_check(tree: nodes.Template) -> None:
    """Refuse escapes before they run: a branch that sample data never reaches is still checked."""
    bad: list[tuple[int, str]] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Extends, nodes.Include, nodes.Import,
                               nodes.FromImport)):
        if isinstance(node, (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            bad.append((node.lineno, "文书模板不支持 extends / include / import，请把内容写在同一个模板里"))
            continue
        name = node.attr if isinstance(node, nodes.Getattr) else (
            node.arg.value if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) else None)
        if name is not None and name.startswith("_"):
            bad.append((node.lineno, f"不允许访问内部属性“{name}”（安全限制）"))
    if bad:
        # The walk meets `a.__class__.__mro__` outside-in; report what comes first in reading order.
        line = min(b[0] for b in bad)
        raise _fail([b[1] for b in bad if b[0] == line][-1], line, "TEMPLATE_FORBIDDEN")


def compile_template(source: str):  # noqa: ANN201
    if not isinstance(source, str) or not source.strip():
        raise InvalidInput("模板内容不能为空", fields={"html": "必填"})
    if len(source) > MAX_SOURCE:
        raise InvalidInput(f"模板内容过长（不超过 {MAX_SOURCE} 个字符）", fields={"html": "过长"})
    try:
        tree = ENV.parse(source)
        _static_check(tree)
        return ENV.from_string(tree)
    except TemplateSyntaxError as e:
        raise _fail(f"语法错误，{_zh_syntax(e.message or '')}", e.lineno, "TEMPLATE_SYNTAX") from e
    except RecursionError as e:
        raise _fail("嵌套层级过深", None, "TEMPLATE_SYNTAX") from e


def _with_deadline(fn: Callable[[], str], seconds: float) -> str:
    """Run fn, stopping template code that runs past the deadline.

    Compiled templates are Python code named `<template>`: a line tracer on those frames only
    sees every loop iteration, so a runaway loop stops even when it outputs nothing.
    """
    deadline = time.monotonic() + seconds

    def local(frame, event, arg):  # noqa: ANN001, ANN202
        if time.monotonic() > deadline:
            raise RenderTimeout
        return local

    def outer(frame, event, arg):  # noqa: ANN001, ANN202
        return local if frame.f_code.co_filename == _FILENAME else None

    previous = sys.gettrace()
    sys.settrace(outer)
    try:
        return fn()
    finally:
        sys.settrace(previous)


def render(source: str, context: dict, *, seconds: float = RENDER_SECONDS) -> str:
    """Render a template to HTML. Bad templates raise InvalidInput naming the line. CPU-bound."""
    tpl = compile_template(source)

    def run() -> str:
        out, size = [], 0
        for chunk in tpl.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise OutputTooLarge
            out.append(chunk)
        return "".join(out)

    try:
        return _with_deadline(run, seconds)
    except RenderTimeout as e:
        raise _fail(f"渲染超时（超过 {seconds:g} 秒），请检查循环", _template_line(e), "TEMPLATE_TIMEOUT") from e
    except OutputTooLarge as e:
        raise _fail(f"生成的内容过大（超过 {MAX_OUTPUT} 个字符）", _template_line(e), "TEMPLATE_TOO_LARGE") from e
    except SecurityError as e:
        raise _fail(_security_message(e), _template_line(e), "TEMPLATE_FORBIDDEN") from e
    except TemplateSyntaxError as e:
        raise _fail(f"语法错误，{_zh_syntax(e.message or '')}", e.lineno, "TEMPLATE_SYNTAX") from e
    except RecursionError as e:
        raise _fail("递归或嵌套层级过深", _template_line(e), "TEMPLATE_RUNTIME") from e
    except Exception as e:  # noqa: BLE001 - anything a template does wrong is the template's error
        raise _fail(f"运行出错（{type(e).__name__}：{str(e)[:200]}）", _template_line(e), "TEMPLATE_RUNTIME") from e


# ---- versions --------------------------------------------------------------------------------

def check_key(key: str) -> str:
    if not KEY_RE.match(key or "") or key in RESERVED_KEYS:
        raise InvalidInput("模板编号应为小写字母开头，由小写字母、数字和下划线组成（2-64位）",
                           fields={"key": "格式有误"})
    return key


def check_sample(sample: dict) -> dict:
    if not isinstance(sample, dict):
        raise InvalidInput("示例数据应为 JSON 对象", fields={"sample": "应为对象"})
    if len(json.dumps(sample, ensure_ascii=False)) > 64_000:
        raise InvalidInput("示例数据过大（不超过 64000 个字符）", fields={"sample": "过大"})
    return sample


async def _lock_key(tx, key: str) -> None:  # noqa: ANN001
    # Two saves of one template at once get consecutive versions instead of a unique-key clash.
    await tx.execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [f"document_template:{key}"])


async def latest(key: str, using=None) -> DocumentTemplate | None:  # noqa: ANN001
    return await DocumentTemplate.filter(key=key).using_db(using or default_conn()).order_by("-version").first()


async def active(key: str, using=None) -> DocumentTemplate | None:  # noqa: ANN001
    """The version documents are issued from: the highest enabled one."""
    return await (DocumentTemplate.filter(key=key, enabled=True).using_db(using or default_conn())
                  .order_by("-version").first())


async def keys_for_case_type(case_type: str, using=None) -> list[str]:  # noqa: ANN001
    """Templates whose active version says "issue me when a case of this type completes"."""
    _, rows = await (using or default_conn()).execute_query(
        "SELECT key FROM (SELECT DISTINCT ON (key) key, case_type FROM document_template WHERE enabled"
        " ORDER BY key, version DESC) a WHERE case_type = $1 ORDER BY key", [case_type])
    return [r["key"] for r in rows]


async def latest_ids() -> list[int]:
    _, rows = await default_conn().execute_query(
        "SELECT DISTINCT ON (key) id FROM document_template ORDER BY key, version DESC")
    return [r["id"] for r in rows]


async def active_versions(keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    _, rows = await default_conn().execute_query(
        "SELECT key, max(version) AS v FROM document_template WHERE enabled AND key = ANY($1) GROUP BY key",
        [keys])
    return {r["key"]: r["v"] for r in rows}


async def validate(html: str, sample: dict) -> None:
    """Compile, and render once with the sample data (the service's placeholders filled in)."""
    check_sample(sample)
    compile_template(html)
    await asyncio.to_thread(render, html, preview_context(sample))


async def create(*, key: str, name: str, html: str, sample: dict, case_type: str | None, actor,  # noqa: ANN001
                 enabled: bool = True, validate_first: bool = True) -> DocumentTemplate:
    check_key(key)
    if validate_first:
        await validate(html, sample)
    async with uow() as tx:
        await _lock_key(tx, key)
        if await DocumentTemplate.filter(key=key).using_db(tx).exists():
            raise Conflict(f"模板编号“{key}”已存在", code="TEMPLATE_EXISTS", fields={"key": "已存在"})
        t = await DocumentTemplate.create(
            key=key, version=1, name=name, case_type=case_type, html=html, sample=sample, enabled=enabled,
            created_by_id=getattr(actor, "account_id", None), created_by_name=getattr(actor, "name", None),
            using_db=tx)
        await audit.record("document.template.create", "document_template", f"{key}@1", using=tx, actor=actor,
                           only_changes=False, summary=f"新建文书模板 {name}（{key}）",
                           after=audit.snapshot(t, _TPL_FIELDS))
    return t


KEEP = object()  # save_version: keep the previous version's case_type


async def save_version(key: str, *, name: str | None, html: str, sample: dict, case_type: Any = KEEP,
                       enabled: bool = True, note: str | None = None, actor) -> DocumentTemplate:  # noqa: ANN001
    """Save = a new version; documents already issued keep pointing at the version they used."""
    await validate(html, sample)
    async with uow() as tx:
        await _lock_key(tx, key)
        prev = await latest(key, using=tx)
        if prev is None:
            raise NotFound("文书模板不存在")
        t = await DocumentTemplate.create(
            key=key, version=prev.version + 1, name=name or prev.name,
            case_type=prev.case_type if case_type is KEEP else case_type, html=html,
            sample=sample, enabled=enabled, created_by_id=getattr(actor, "account_id", None),
            created_by_name=getattr(actor, "name", None), using_db=tx)
        before = audit.snapshot(prev, _TPL_FIELDS) | {"html_length": len(prev.html)}
        after = audit.snapshot(t, _TPL_FIELDS) | {"html_length": len(html)}
        await audit.record("document.template.save", "document_template", f"{key}@{t.version}", using=tx,
                           actor=actor, before=before, after=after, only_changes=False,
                           summary=f"保存文书模板 {t.name} 第{t.version}版" + (f"：{note}" if note else ""))
    return t


async def set_enabled(key: str, *, enabled: bool, version: int | None, actor) -> list[DocumentTemplate]:  # noqa: ANN001
    """With a version: that version only. Without: disabling stops every version (the template is
    off); enabling turns the latest version on."""
    async with uow() as tx:
        await _lock_key(tx, key)
        rows = await DocumentTemplate.filter(key=key).using_db(tx).order_by("-version").select_for_update()
        if not rows:
            raise NotFound("文书模板不存在")
        if version is not None:
            targets = [r for r in rows if r.version == version]
            if not targets:
                raise NotFound(f"文书模板没有第{version}版")
        else:
            targets = rows if not enabled else rows[:1]
        before = [r.version for r in rows if r.enabled]
        for r in targets:
            if r.enabled != enabled:
                r.enabled = enabled
                await r.save(using_db=tx, update_fields=["enabled"])
        await audit.record("document.template.enable" if enabled else "document.template.disable",
                           "document_template", key, using=tx, actor=actor, only_changes=False,
                           before={"enabled_versions": before},
                           after={"enabled_versions": [r.version for r in rows if r.enabled]},
                           summary=f"{'启用' if enabled else '停用'}文书模板 {rows[0].name}"
                                   + (f" 第{version}版" if version is not None else ""))
    return rows
