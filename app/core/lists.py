"""Lists: one mechanism for pagination, sorting, single/combined filters, `q` search and xlsx export.

`?page=1&page_size=20&sort=-created_at&kind=GOV&hired_on__gte=2026-01-01&id__in=1,2&q=陈&format=xlsx`
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from asyncpg.exceptions import DataError
from openpyxl import Workbook
from sanic import Request
from sanic.response import json as json_response
from tortoise.exceptions import OperationalError, ValidationError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app.core.errors import InvalidInput
from app.core.cache import redis

CN = ZoneInfo("Asia/Shanghai")
MAX_PAGE_SIZE = 200
EXPORT_BATCH = 1000
EXPORT_MAX_ROWS = 200_000
_RESERVED = {"page", "page_size", "sort", "q", "format", "unmask"}
_OPS = {"eq": "", "in": "__in", "contains": "__icontains", "gte": "__gte", "lte": "__lte",
        "gt": "__gt", "lt": "__lt", "isnull": "__isnull"}
_TRUE, _FALSE = {"1", "true", "yes", "是"}, {"0", "false", "no", "否"}


@dataclass(frozen=True)
class Col:
    name: str
    label: str
    field: str | None = None  # ORM lookup path; defaults to name
    kind: str = "str"  # str | int | bool | date | datetime
    ops: tuple[str, ...] = ("eq",)
    sortable: bool = False
    export: bool = True
    choices: dict[str, str] | None = None  # code -> Chinese label, used in export

    @property
    def path(self) -> str:
        return self.field or self.name


Serializer = Callable[[list[Any]], Awaitable[list[dict]]]


@dataclass
class ListSpec:
    title: str
    cols: list[Col]
    serialize: Serializer
    search: list[str] = field(default_factory=list)  # ORM paths searched by `q`
    default_sort: str = "-id"
    prefetch: tuple[str, ...] = ()
    extra_params: set[str] = field(default_factory=set)  # handled by the route itself
    # Cache totals until the named epoch is bumped (`invalidate_counts`): for big, busy lists
    # whose count is the costly part of a page, e.g. todo lists over 100k work items.
    count_epoch: str | None = None

    def col(self, name: str) -> Col | None:
        return next((c for c in self.cols if c.name == name), None)

    def openapi_params(self) -> list[dict]:
        """Query parameters for the OpenAPI description."""
        ps = [
            {"name": "page", "schema": {"type": "integer", "minimum": 1}, "description": "页码，从1开始"},
            {"name": "page_size", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
             "description": "每页条数"},
            {"name": "sort", "schema": {"type": "string"},
             "description": "排序字段，前加 - 为倒序；可选：" + ",".join(c.name for c in self.cols if c.sortable)},
            {"name": "q", "schema": {"type": "string"}, "description": "模糊查询"},
            {"name": "format", "schema": {"type": "string", "enum": ["json", "xlsx"]},
             "description": "xlsx 为按相同条件导出 Excel"},
        ]
        ps += [{"name": n, "schema": {"type": "string"}, "description": n} for n in sorted(self.extra_params)]
        for c in self.cols:
            for op in c.ops:
                name = c.name if op == "eq" else f"{c.name}__{op}"
                schema = {"type": "string"} if op in ("in", "contains") else _schema(c.kind)
                ps.append({"name": name, "schema": schema, "description": f"{c.label}（{op}）"})
        return ps


def _schema(kind: str) -> dict:
    return {"int": {"type": "integer"}, "bool": {"type": "boolean"},
            "date": {"type": "string", "format": "date"},
            "datetime": {"type": "string", "format": "date"}}.get(kind, {"type": "string"})


def _parse(col: Col, raw: str, op: str) -> Any:
    label = col.label
    try:
        if col.kind == "int":
            v = int(raw)
            if not -(2**63) <= v < 2**63:  # beyond bigint: the driver would fail, not the filter
                raise ValueError
            return v
        if col.kind == "bool":
            low = raw.lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ValueError
        if col.kind in ("date", "datetime"):
            d = dt.date.fromisoformat(raw[:10])
            if col.kind == "date":
                return d
            # A date bound on a timestamp column means the whole day in Beijing time.
            if op in ("lte", "lt"):
                d = d + dt.timedelta(days=1)
                return dt.datetime.combine(d, dt.time.min, CN) - dt.timedelta(microseconds=1)
            return dt.datetime.combine(d, dt.time.min, CN)
    except (ValueError, OverflowError) as e:  # OverflowError: 9999-12-31 plus a day
        raise InvalidInput(f"查询条件“{label}”的值有误：{raw}", fields={col.name: "格式有误"}) from e
    if len(raw) > 100:
        raise InvalidInput(f"查询条件“{label}”过长", fields={col.name: "过长"})
    return raw


def build_filters(spec: ListSpec, args: dict[str, str]) -> Q:
    q = Q()
    for key, raw in args.items():
        if "\x00" in key or "\x00" in raw:
            raise InvalidInput("查询条件含有不允许的控制字符", fields={key.replace("\x00", ""): "含有控制字符"})
        if key in _RESERVED or key in spec.extra_params or raw == "":
            continue
        name, _, op = key.partition("__")
        op = op or "eq"
        col = spec.col(name)
        if col is None or op not in col.ops or op not in _OPS:
            allowed = ", ".join(c.name for c in spec.cols)
            raise InvalidInput(f"不支持的查询条件：{key}（可用：{allowed}）", fields={key: "不支持的查询条件"})
        if op == "in":
            value = [_parse(col, v.strip(), op) for v in raw.split(",") if v.strip()][:200]
        elif op == "isnull":
            value = raw.lower() in _TRUE
        else:
            value = _parse(col, raw, op)
        q &= Q(**{col.path + _OPS[op]: value})
    text = (args.get("q") or "").strip()
    if text and spec.search:
        if len(text) > 100:
            raise InvalidInput("查询内容过长", fields={"q": "过长"})
        sq = Q()
        for path in spec.search:
            sq |= Q(**{f"{path}__icontains": text})
        q &= sq
    return q


def _order(spec: ListSpec, sort: str | None) -> list[str]:
    if not sort:
        return [spec.default_sort]
    out = []
    for part in sort.split(","):
        desc = part.startswith("-")
        col = spec.col(part.lstrip("-+ "))
        if col is None or not col.sortable:
            raise InvalidInput(f"不支持按“{part}”排序", fields={"sort": "不支持的排序字段"})
        out.append(("-" if desc else "") + col.path)
    return out + ["-id"]


def _int_arg(args: dict, key: str, default: int, lo: int, hi: int) -> int:
    raw = args.get(key)
    if raw in (None, ""):
        return default
    try:
        v = int(raw)
    except ValueError as e:
        raise InvalidInput(f"{key} 应为整数", fields={key: "应为整数"}) from e
    if not lo <= v <= hi:
        raise InvalidInput(f"{key} 应在 {lo} 到 {hi} 之间", fields={key: "超出范围"})
    return v


def request_args(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in request.args.items()}


@contextmanager
def values_fit_columns() -> Iterator[None]:
    """Filter values that cannot fit their column (7 characters for a 6-character district code)
    fail when the query first runs; that is the clerk's input, not a server fault."""
    try:
        yield
    except ValidationError as e:
        name = str(e).split(":", 1)[0][:64] if ":" in str(e) else "_"
        raise InvalidInput("查询条件的值超出该字段的长度或格式", fields={name: "长度或格式不符"}) from e
    except OperationalError as e:
        # The driver refusing a parameter (e.g. 2^40 for an int32 column): only filters carry
        # the caller's values into a list query, so this too is bad input.
        if isinstance(e.__cause__, DataError):
            raise InvalidInput("查询条件的值超出该字段的范围或格式", fields={"_": "超出范围"}) from e
        raise


async def respond_list(request: Request, qs: QuerySet, spec: ListSpec,
                       serialize: Serializer | None = None):  # noqa: ANN201
    """`serialize` overrides the spec's, e.g. to unmask PII for one request."""
    if serialize is not None:
        spec = ListSpec(spec.title, spec.cols, serialize, spec.search, spec.default_sort, spec.prefetch,
                        spec.extra_params, spec.count_epoch)
    args = request_args(request)
    qs = qs.filter(build_filters(spec, args)).order_by(*_order(spec, args.get("sort")))
    if spec.prefetch:
        qs = qs.prefetch_related(*spec.prefetch)
    fmt = args.get("format", "json")
    if fmt == "xlsx":
        with values_fit_columns():
            return await _export(request, qs, spec)
    if fmt != "json":
        raise InvalidInput("format 只能是 json 或 xlsx", fields={"format": "取值不在允许范围内"})
    page = _int_arg(args, "page", 1, 1, 100_000)
    size = _int_arg(args, "page_size", 20, 1, MAX_PAGE_SIZE)
    with values_fit_columns():
        total = await cached_count(qs, spec.count_epoch)
    rows = await qs.offset((page - 1) * size).limit(size)
    return json_response({"items": await spec.serialize(rows), "total": total, "page": page,
                          "page_size": size})


COUNT_TTL = 60
# One round trip: the epoch, and the total filed under it (the key embeds the epoch just read).
_COUNT_LOOKUP = """
local epoch = redis.call('GET', KEYS[1]) or '0'
return {epoch, redis.call('GET', ARGV[1] .. epoch .. ':' .. ARGV[2]) or false}  -- a trailing nil may drop out
"""
_count_script = None


async def cached_count(qs: QuerySet, epoch_name: str | None) -> int:
    """An exact total. With an epoch, a total is reused until the epoch moves: the key holds the
    epoch read *before* counting, so a count that raced a change is filed under a dead key."""
    if epoch_name is None:
        return await qs.count()
    global _count_script
    try:
        r = redis()
        if _count_script is None or _count_script.registered_client is not r:
            _count_script = r.register_script(_COUNT_LOOKUP)
        digest = hashlib.sha1(qs.sql(params_inline=True).encode()).hexdigest()
        epoch, hit = await _count_script(keys=[f"epoch:{epoch_name}"], args=[f"count:{epoch_name}:", digest])
        if hit is not None:
            return int(hit)
        key = f"count:{epoch_name}:{epoch}:{digest}"
    except Exception:  # noqa: BLE001 - without Redis, count directly
        return await qs.count()
    # When a busy total expires, the requests that miss together share one count in this worker
    # instead of each counting 100k rows at once.
    pending = _counting.get(key)
    if pending is not None:
        return await asyncio.shield(pending)
    task = asyncio.ensure_future(_count_and_file(qs, r, key))
    _counting[key] = task
    task.add_done_callback(lambda _t: _counting.pop(key, None))
    return await asyncio.shield(task)


_counting: dict[str, asyncio.Future] = {}


async def _count_and_file(qs: QuerySet, r: Any, key: str) -> int:
    n = await qs.count()
    with suppress(Exception):
        await r.set(key, n, ex=COUNT_TTL)
    return n


async def invalidate_counts(epoch_name: str) -> None:
    with suppress(Exception):
        await redis().incr(f"epoch:{epoch_name}")


def _cell(col: Col, v: Any) -> Any:
    if v is None:
        return ""
    if col.choices and isinstance(v, str):
        return col.choices.get(v, v)
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (list, tuple)):
        return "、".join(str(x) for x in v)
    if isinstance(v, dict):
        return str(v)
    return v


async def _export(request: Request, qs: QuerySet, spec: ListSpec):  # noqa: ANN202
    cols = [c for c in spec.cols if c.export]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.title[:31])
    ws.append([c.label for c in cols])
    offset = 0
    while offset < EXPORT_MAX_ROWS:
        batch = await qs.offset(offset).limit(EXPORT_BATCH)
        if not batch:
            break
        for item in await spec.serialize(batch):
            ws.append([_cell(c, item.get(c.name)) for c in cols])
        offset += len(batch)
        if len(batch) < EXPORT_BATCH:
            break
    return await _send_workbook(request, wb, spec.title)


async def export_rows(request: Request, title: str, cols: list[Col], rows: list[dict]):  # noqa: ANN201
    """A computed table (e.g. plan against actual) as the same xlsx a list's `format=xlsx` gives:
    the columns' labels and cell rules; `rows` are already serialized."""
    cols = [c for c in cols if c.export]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append([c.label for c in cols])
    for item in rows[:EXPORT_MAX_ROWS]:
        ws.append([_cell(c, item.get(c.name)) for c in cols])
    return await _send_workbook(request, wb, title)


async def _send_workbook(request: Request, wb: Workbook, title: str):  # noqa: ANN202
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        wb.save(path)
        fname = quote(f"{title}-{dt.datetime.now(CN):%Y%m%d%H%M}.xlsx")
        response = await request.respond(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{fname}"})
        with open(path, "rb") as f:
            while chunk := f.read(256 * 1024):
                await response.send(chunk)
        await response.eof()
        return response
    finally:
        os.unlink(path)
