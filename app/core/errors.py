"""One error shape for the whole API: {"error": {"code", "message", "fields"}}."""
from __future__ import annotations

from pydantic import ValidationError


class AppError(Exception):
    status = 400
    code = "BAD_REQUEST"
    message = "请求有误"

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 status: int | None = None, fields: dict[str, str] | None = None):
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.fields = fields or {}
        super().__init__(self.message)

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class InvalidInput(AppError):
    status, code, message = 422, "INVALID_INPUT", "输入信息有误，请检查"


class Unauthorized(AppError):
    status, code, message = 401, "UNAUTHORIZED", "请先登录"


class Forbidden(AppError):
    status, code, message = 403, "FORBIDDEN", "无权执行此操作"


class NotFound(AppError):
    status, code, message = 404, "NOT_FOUND", "记录不存在或无权查看"


class Conflict(AppError):
    status, code, message = 409, "CONFLICT", "数据已被他人修改，请刷新后重试"


class TooMany(AppError):
    status, code, message = 429, "TOO_MANY_REQUESTS", "操作过于频繁，请稍后再试"


_PYDANTIC_ZH = {
    "missing": "必填",
    "string_too_short": "长度不足",
    "string_too_long": "长度超出限制",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为是/否",
    "bool_type": "应为是/否",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式有误",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "string_pattern_mismatch": "格式有误",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "too_short": "数量不足",
    "too_long": "数量超出限制",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "JSON 格式有误",
}


def from_validation(err: ValidationError) -> InvalidInput:
    fields: dict[str, str] = {}
    for e in err.errors():
        loc = ".".join(str(p) for p in e.get("loc", ())) or "_"
        msg = e.get("msg", "")
        if e.get("type") == "value_error":
            # our own validators raise ValueError with a Chinese message
            msg = str(e.get("ctx", {}).get("error", msg))
        else:
            msg = _PYDANTIC_ZH.get(e.get("type", ""), "格式有误")
        fields.setdefault(loc, msg)
    first = next(iter(fields.items()), ("", ""))
    return InvalidInput(f"输入信息有误：{first[0]} {first[1]}".strip(), fields=fields)
