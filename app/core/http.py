"""Request parsing and OpenAPI description shared by all handlers."""
from __future__ import annotations

import json as _json
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sanic import Request
from sanic_ext import openapi

from app.core.errors import InvalidInput, from_validation

M = TypeVar("M", bound=BaseModel)


def _inline(schema: Any, defs: dict) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if ref and ref.startswith("#/$defs/"):
            return _inline(defs[ref.split("/")[-1]], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(x, defs) for x in schema]
    return schema


def _oas30(schema: Any) -> Any:
    """pydantic writes JSON Schema 2020-12; the document is OpenAPI 3.0.3 (sanic-ext), whose schema
    objects spell null as `nullable`, const as a one-value enum and exclusive bounds as booleans."""
    if isinstance(schema, list):
        return [_oas30(x) for x in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: (v if k in ("default", "example", "enum", "const") else _oas30(v)) for k, v in schema.items()}
    for key in ("anyOf", "oneOf"):
        alts = out.get(key)
        if isinstance(alts, list) and any(a == {"type": "null"} for a in alts):
            rest = [a for a in alts if a != {"type": "null"}]
            del out[key]
            out = ({**rest[0], **out} if len(rest) == 1 else {**out, key: rest}) | {"nullable": True}
    if isinstance(out.get("type"), list):
        listed = out.pop("type")
        types = [t for t in listed if t != "null"]
        if len(types) < len(listed):
            out["nullable"] = True
        if len(types) == 1:
            out["type"] = types[0]
        elif types:
            out["anyOf"] = [{"type": t} for t in types]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        v = out.get(bound)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out[plain], out[bound] = v, True
    if isinstance(out.get("examples"), list):
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    return out


def json_schema(model: type[BaseModel]) -> dict:
    s = model.model_json_schema()
    return _oas30(_inline(s, s.get("$defs", {})))


def body(model: type[BaseModel]) -> Callable:
    """Documents the JSON body in OpenAPI."""
    return openapi.body({"application/json": json_schema(model)}, required=True)


_PY_TYPES = {"integer": int, "boolean": bool}


def query(params: list[dict]) -> Callable:
    def deco(fn: Callable) -> Callable:
        for p in reversed(params):
            t = _PY_TYPES.get(p.get("schema", {}).get("type"), str)
            fn = openapi.parameter(p["name"], t, "query", description=p.get("description", ""))(fn)
        return fn
    return deco


def _has_nul(v: Any) -> bool:
    if isinstance(v, str):
        return "\x00" in v
    if isinstance(v, dict):
        return any(_has_nul(k) or _has_nul(x) for k, x in v.items())
    if isinstance(v, list):
        return any(_has_nul(x) for x in v)
    return False


def parse(request: Request, model: type[M]) -> M:
    raw = request.body or b"{}"
    try:
        data = _json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise InvalidInput("请求体不是有效的 JSON") from e
    if not isinstance(data, dict):
        raise InvalidInput("请求体应为 JSON 对象")
    try:
        nul = _has_nul(data)
    except RecursionError as e:
        raise InvalidInput("请求体嵌套层级过深") from e
    if nul:
        # PostgreSQL text cannot hold U+0000: refuse it here rather than fail in the query.
        raise InvalidInput("输入内容含有不允许的控制字符")
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise from_validation(e) from e


def flag(request: Request, name: str) -> bool:
    return (request.args.get(name) or "").lower() in {"1", "true", "yes"}
