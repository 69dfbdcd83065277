"""CEL expressions for admin-edited rules, on cel-python's interpreter.

Admin text is parsed by CEL's grammar and walked by celpy's tree interpreter
(never its transpiler, which ends in exec()). Before anything runs, the tree is
checked: every variable must be a declared input, every function must be on
`FUNCTIONS` below, and protobuf message construction is refused. Errors come
back as `CelError` with a Chinese message and a stable `kind`.

Types an input may declare:
    int, double, string, bool, timestamp, date, dyn,
    list<T>, map<string,T>, map<int,T>, map (= map<string,dyn>)
`date` is a calendar date; it enters CEL as a timestamp at 00:00 Asia/Shanghai.
Money is int fen, never double.

Functions besides the CEL standard ones (see FUNCTIONS):
    age(birth, on) -> int       full years between two dates, on Asia/Shanghai dates
    days_between(a, b) -> int   calendar days from a to b (negative if b is earlier)
`matches()` (regex) is left out: Python's re can backtrack for ever.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

import celpy
import lark
from celpy import celtypes
from celpy.evaluation import CELEvalError

from app.core.errors import InvalidInput

TZ = ZoneInfo("Asia/Shanghai")
MAX_EXPRESSION_LENGTH = 4000
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# Kinds of CelError; the admin pages and tests key on these.
SYNTAX = "syntax"
UNKNOWN_VARIABLE = "unknown_variable"
UNKNOWN_FUNCTION = "unknown_function"
UNSUPPORTED = "unsupported"
RESULT_TYPE = "result_type"
TYPE_MISMATCH = "type_mismatch"
EVALUATION = "evaluation"
INPUT = "input"


class CelError(InvalidInput):
    code = "RULE_INVALID"
    message = "规则表达式有误"

    def __init__(self, kind: str, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message, code=f"RULE_{kind.upper()}", fields=fields)
        self.kind = kind


# ---------------------------------------------------------------- types

_SCALARS = ("int", "double", "string", "bool", "timestamp", "date", "dyn")
TYPE_ZH = {
    "int": "整数", "double": "小数", "string": "文本", "bool": "布尔值",
    "timestamp": "时间", "date": "日期", "dyn": "任意值", "list": "列表", "map": "映射",
    "duration": "时长", "null": "空值",
}


@dataclass(frozen=True)
class CelType:
    """A declared input type. `arg`/`key` are set for list<arg> and map<key,arg>."""
    name: str
    arg: "CelType | None" = None
    key: "CelType | None" = None

    def __str__(self) -> str:
        if self.name == "list":
            return f"list<{self.arg}>"
        if self.name == "map":
            return f"map<{self.key},{self.arg}>"
        return self.name

    def zh(self) -> str:
        if self.name == "list":
            return f"{self.arg.zh()}列表"
        if self.name == "map":
            return f"映射（{self.key.zh()} → {self.arg.zh()}）"
        return TYPE_ZH[self.name]


def parse_type(text: str) -> CelType:
    """Parse `int`, `list<date>`, `map<string,int>` ... Raises CelError(INPUT)."""
    s = re.sub(r"\s+", "", str(text or ""))
    try:
        t, rest = _parse_type(s)
        if rest:
            raise ValueError
        return t
    except (ValueError, IndexError):
        raise CelError(INPUT, f"不支持的输入类型：{text}（可用：{', '.join(_SCALARS)}, list<T>, map<K,V>）") from None


def _parse_type(s: str) -> tuple[CelType, str]:
    m = re.match(r"[a-z]+", s)
    if not m:
        raise ValueError
    name, rest = m.group(0), s[m.end():]
    if name in _SCALARS:
        return CelType(name), rest
    if name == "list" and rest.startswith("<"):
        arg, rest = _parse_type(rest[1:])
        if not rest.startswith(">"):
            raise ValueError
        return CelType("list", arg=arg), rest[1:]
    if name == "map":
        if not rest.startswith("<"):
            return CelType("map", arg=CelType("dyn"), key=CelType("string")), rest
        key, rest = _parse_type(rest[1:])
        if key.name not in ("string", "int") or not rest.startswith(","):
            raise ValueError
        arg, rest = _parse_type(rest[1:])
        if not rest.startswith(">"):
            raise ValueError
        return CelType("map", arg=arg, key=key), rest[1:]
    raise ValueError


# ---------------------------------------------------------------- conversion

def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(TZ).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise TypeError


def _parse_timestamp(value: Any, where: str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            # a naive time is ambiguous: stored times are UTC, shown ones Asia/Shanghai
            raise CelError(INPUT, f"{where} 的时间必须带时区，例如 2026-11-26T09:00:00+08:00")
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=TZ)
    raise TypeError


def to_cel(value: Any, t: CelType | str, path: str = "") -> Any:
    """Convert a Python/JSON value into the celpy value of declared type `t`."""
    t = parse_type(t) if isinstance(t, str) else t
    where = path or "输入"
    bad = CelError(INPUT, f"{where} 应为{t.zh()}，收到：{_short(value)}", fields={path: f"应为{t.zh()}"} if path else None)
    if value is None:
        raise CelError(INPUT, f"缺少输入：{where}", fields={path: "必填"} if path else None)
    n = t.name
    try:
        if n == "bool":
            if not isinstance(value, bool):
                raise bad
            return celtypes.BoolType(value)
        if n == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad
            if not INT64_MIN <= value <= INT64_MAX:
                raise CelError(INPUT, f"{where} 超出整数范围")
            return celtypes.IntType(value)
        if n == "double":
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
                raise bad
            f = float(value)
            if not math.isfinite(f):
                raise bad
            return celtypes.DoubleType(f)
        if n == "string":
            if not isinstance(value, str):
                raise bad
            return celtypes.StringType(value)
        if n == "date":
            d = _parse_date(value)
            return celtypes.TimestampType(dt.datetime(d.year, d.month, d.day, tzinfo=TZ))
        if n == "timestamp":
            return celtypes.TimestampType(_parse_timestamp(value, where))
        if n == "list":
            if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
                raise bad
            return celtypes.ListType([to_cel(v, t.arg, f"{path}[{i}]") for i, v in enumerate(value)])
        if n == "map":
            if not isinstance(value, Mapping):
                raise bad
            return celtypes.MapType({to_cel(k, t.key, f"{path} 的键"): to_cel(v, t.arg, f"{path}[{k!r}]")
                                     for k, v in value.items()})
        if n == "dyn":
            return _dyn_to_cel(value, path)
    except CelError:
        raise
    except (TypeError, ValueError):
        raise bad from None
    raise bad


def _dyn_to_cel(value: Any, path: str) -> Any:
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        return to_cel(value, CelType("int"), path)
    if isinstance(value, (float, Decimal)):
        return to_cel(value, CelType("double"), path)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if isinstance(value, dt.datetime):
        return to_cel(value, CelType("timestamp"), path)
    if isinstance(value, dt.date):
        return to_cel(value, CelType("date"), path)
    if isinstance(value, Mapping):
        return celtypes.MapType({_dyn_to_cel(k, path): _dyn_to_cel(v, f"{path}[{k!r}]") for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return celtypes.ListType([_dyn_to_cel(v, f"{path}[{i}]") for i, v in enumerate(value)])
    if value is None:
        return None
    raise CelError(INPUT, f"{path or '输入'} 的值类型不受支持：{type(value).__name__}")


def from_cel(value: Any) -> Any:
    """Convert a celpy result back into plain Python (bool, int, float, str, list, dict, datetime)."""
    if isinstance(value, (celtypes.BoolType, bool)):
        return bool(value)
    if isinstance(value, (celtypes.IntType, celtypes.UintType)):
        return int(value)
    if isinstance(value, (celtypes.DoubleType, float)):
        return float(value)
    if isinstance(value, (celtypes.StringType, str)):
        return str(value)
    if isinstance(value, celtypes.TimestampType):
        return dt.datetime.fromtimestamp(value.timestamp(), tz=dt.timezone.utc)
    if isinstance(value, celtypes.DurationType):
        return dt.timedelta(seconds=value.total_seconds())
    if isinstance(value, celtypes.MapType):
        return {from_cel(k): from_cel(v) for k, v in value.items()}
    if isinstance(value, (celtypes.ListType, list, tuple)):
        return [from_cel(v) for v in value]
    if isinstance(value, int):
        return int(value)
    if value is None:
        return None
    raise CelError(RESULT_TYPE, f"表达式结果的类型不受支持：{type(value).__name__}")


def type_of(value: Any) -> str:
    """CEL type name of a celpy value, for messages."""
    if isinstance(value, (celtypes.BoolType, bool)):
        return "bool"
    if isinstance(value, (celtypes.IntType, celtypes.UintType, int)):
        return "int"
    if isinstance(value, (celtypes.DoubleType, float)):
        return "double"
    if isinstance(value, (celtypes.StringType, str)):
        return "string"
    if isinstance(value, celtypes.TimestampType):
        return "timestamp"
    if isinstance(value, celtypes.DurationType):
        return "duration"
    if isinstance(value, celtypes.MapType):
        return "map"
    if isinstance(value, (celtypes.ListType, list)):
        return "list"
    if value is None:
        return "null"
    return type(value).__name__


def to_json(value: Any) -> Any:
    """Python value -> JSON-safe value, for decisions stored with a case."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def _short(value: Any) -> str:
    s = repr(value)
    return s if len(s) <= 40 else s[:37] + "..."


# ---------------------------------------------------------------- functions

def _as_date(value: Any, name: str) -> dt.date:
    if not isinstance(value, celtypes.TimestampType):
        # celpy turns TypeError into an evaluation error
        raise TypeError(f"{name} 的参数应为日期或时间")
    return value.astimezone(TZ).date()


def fn_age(birth: Any, on: Any) -> celtypes.IntType:
    b, d = _as_date(birth, "age"), _as_date(on, "age")
    years = d.year - b.year - ((d.month, d.day) < (b.month, b.day))
    return celtypes.IntType(years)


def fn_days_between(a: Any, b: Any) -> celtypes.IntType:
    return celtypes.IntType((_as_date(b, "days_between") - _as_date(a, "days_between")).days)


def _conditional(e: Any, x: Any, y: Any) -> Any:
    # celpy 0.5 turns an error in the condition of `c ? x : y` into a bogus overload error
    if isinstance(e, CELEvalError):
        return e
    return celtypes.logical_condition(e, x, y)


CUSTOM_FUNCTIONS = {"age": fn_age, "days_between": fn_days_between}
_OPERATOR_FIXES = {"_?_:_": _conditional}

MACROS = {"all", "exists", "exists_one", "map", "filter"}
# Everything an expression may call: CEL standard functions (minus matches), macros, ours.
FUNCTIONS = {
    "size", "contains", "startsWith", "endsWith",
    "int", "uint", "double", "string", "bool", "timestamp", "duration", "dyn", "has", "type",
    "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear",
    "getHours", "getMinutes", "getSeconds", "getMilliseconds",
} | MACROS | set(CUSTOM_FUNCTIONS)


# ---------------------------------------------------------------- compile

@dataclass(frozen=True)
class Program:
    """A checked, compiled expression. `variables` are the inputs it reads."""
    source: str
    variables: frozenset[str]
    runner: Any

    def evaluate(self, activation: Mapping[str, Any]) -> Any:
        """Run on celpy values; returns a celpy value or raises CelError(EVALUATION/TYPE_MISMATCH)."""
        try:
            result = self.runner.evaluate(dict(activation))
        except CELEvalError as e:
            raise _eval_error(e) from None
        except ZeroDivisionError:
            raise CelError(EVALUATION, "计算出错：除数为零") from None
        except RecursionError:
            raise CelError(EVALUATION, "计算出错：表达式嵌套过深") from None
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, ArithmeticError) as e:
            raise CelError(EVALUATION, f"计算出错：{e}") from None
        if isinstance(result, CELEvalError):
            raise _eval_error(result)
        return result


def _eval_error(e: CELEvalError) -> CelError:
    msg = str(e.args[0]) if e.args else ""
    cause = e.args[1] if len(e.args) > 1 else None
    detail = e.args[2] if len(e.args) > 2 else None
    if "undeclared reference" in msg:
        name = detail[0] if detail else "?"
        return CelError(UNKNOWN_VARIABLE, f"未知的变量：{name}")
    if cause is ZeroDivisionError or "divide by zero" in msg:
        return CelError(EVALUATION, "计算出错：除数为零")
    if "no such key" in msg:
        key = detail[0] if detail else "?"
        return CelError(EVALUATION, f"计算出错：映射中没有键 {from_cel(key)!r}")
    if "no such member" in msg:
        m = re.search(r"'([^']*)'", msg)
        return CelError(EVALUATION, f"计算出错：映射中没有键 {m.group(1) if m else '?'!r}")
    if "overflow" in msg or cause is OverflowError:
        return CelError(EVALUATION, "计算出错：数值溢出")
    if "does not support field selection" in msg:
        return CelError(TYPE_MISMATCH, "类型不匹配：只有映射可以用“.字段”取值")
    if "no matching overload" in msg or "no such overload" in msg or cause is TypeError:
        types = re.findall(r"celtypes\.(\w+)Type", msg)
        zh = {"Int": "整数", "Double": "小数", "String": "文本", "Bool": "布尔值", "Timestamp": "时间",
              "Duration": "时长", "List": "列表", "Map": "映射", "Uint": "无符号整数"}
        if types:
            names = "、".join(zh.get(t, t) for t in types)
            hint = ("（整数和小数不能直接运算，可写成 3000.0，或用 double()、int() 转换）"
                    if {"Int", "Double"} <= set(types) else "")
            return CelError(TYPE_MISMATCH, f"类型不匹配：不能对 {names} 做这个运算{hint}")
        if detail:
            return CelError(TYPE_MISMATCH, f"类型不匹配：{detail[0]}")
        return CelError(TYPE_MISMATCH, "类型不匹配：运算对象或函数参数的类型不对")
    return CelError(EVALUATION, f"计算出错：{msg}")


def _walk_names(tree: lark.Tree, bound: frozenset[str], out_vars: set[str], out_funcs: list[str],
                unsupported: list[str]) -> None:
    data = tree.data
    if data == "member_object":
        unsupported.append("不支持构造消息对象（X{...}）")
    if data in ("ident", "dot_ident"):
        name = str(tree.children[0])
        if name not in bound:
            out_vars.add(name)
        return
    if data in ("ident_arg", "dot_ident_arg"):
        out_funcs.append(str(tree.children[0]))
        for c in tree.children[1:]:
            if isinstance(c, lark.Tree):
                _walk_names(c, bound, out_vars, out_funcs, unsupported)
        return
    if data == "member_dot_arg":
        target, name = tree.children[0], str(tree.children[1])
        args = tree.children[2] if len(tree.children) > 2 else None
        out_funcs.append(name)
        _walk_names(target, bound, out_vars, out_funcs, unsupported)
        if args is None:
            return
        exprs = [c for c in args.children if isinstance(c, lark.Tree)]
        inner = bound
        if name in MACROS and exprs:
            var = _bare_ident(exprs[0])
            if var is None:
                unsupported.append(f"{name}() 的第一个参数应为变量名")
            else:
                inner = bound | {var}
                exprs = exprs[1:]
        for e in exprs:
            _walk_names(e, inner, out_vars, out_funcs, unsupported)
        return
    if data == "member_dot":
        # only the leftmost name is a variable; `.field` is a map key
        _walk_names(tree.children[0], bound, out_vars, out_funcs, unsupported)
        return
    for c in tree.children:
        if isinstance(c, lark.Tree):
            _walk_names(c, bound, out_vars, out_funcs, unsupported)


def _bare_ident(tree: lark.Tree) -> str | None:
    """The name if this expr is nothing but an identifier."""
    node = tree
    while isinstance(node, lark.Tree) and len(node.children) == 1 and isinstance(node.children[0], lark.Tree):
        node = node.children[0]
    if isinstance(node, lark.Tree) and node.data == "ident":
        return str(node.children[0])
    return None


def compile_expression(source: str, declared: Iterable[str] | None) -> Program:
    """Parse and check `source` against the declared input names. Raises CelError.
    `declared=None` accepts any variable (a process condition over form data not known at deploy);
    the functions and constructs allowed are the same either way."""
    return _compile(source, None if declared is None else frozenset(declared))


@lru_cache(maxsize=4096)
def _compile(source: str, declared: frozenset[str] | None) -> Program:
    if not isinstance(source, str) or not source.strip():
        raise CelError(SYNTAX, "表达式不能为空")
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise CelError(SYNTAX, f"表达式过长（最多 {MAX_EXPRESSION_LENGTH} 个字符）")
    env = celpy.Environment(runner_class=celpy.InterpretedRunner)
    try:
        ast = env.compile(source)
    except celpy.CELParseError as e:
        line, col = getattr(e, "line", None), getattr(e, "column", None)
        where = f"第 {line} 行第 {col} 列附近" if line else "位置未知"
        raise CelError(SYNTAX, f"表达式语法错误：{where}，请检查括号、引号和运算符") from None
    except RecursionError:
        raise CelError(SYNTAX, "表达式嵌套过深") from None
    except Exception as e:  # lark raises several error types on odd input
        raise CelError(SYNTAX, f"表达式语法错误：{type(e).__name__}") from None

    variables: set[str] = set()
    funcs: list[str] = []
    unsupported: list[str] = []
    try:
        _walk_names(ast, frozenset(), variables, funcs, unsupported)
    except RecursionError:
        raise CelError(SYNTAX, "表达式嵌套过深") from None
    if unsupported:
        raise CelError(UNSUPPORTED, unsupported[0])
    unknown_funcs = sorted({f for f in funcs if f not in FUNCTIONS})
    if unknown_funcs:
        raise CelError(UNKNOWN_FUNCTION, f"不支持的函数：{'、'.join(unknown_funcs)}")
    unknown = sorted(variables - declared) if declared is not None else []
    if unknown:
        known = "、".join(sorted(declared)) or "（无）"
        raise CelError(UNKNOWN_VARIABLE, f"未知的输入变量：{'、'.join(unknown)}（已声明的输入：{known}）",
                       fields={"expression": "、".join(unknown)})
    runner = env.program(ast, functions={**CUSTOM_FUNCTIONS, **_OPERATOR_FIXES})
    return Program(source=source, variables=frozenset(variables), runner=runner)


RESULT_TYPES = ("bool", "int", "double")


def check_result(value: Any, expected: str) -> Any:
    """Return `value` as plain Python if it has the expected result type, else raise CelError(RESULT_TYPE).
    A double rule accepts an int result; an int rule does not accept a double."""
    actual = type_of(value)
    if expected == "double" and actual == "int":
        return float(value)
    if actual != expected:
        raise CelError(RESULT_TYPE, f"结果类型应为{TYPE_ZH[expected]}，实际为{TYPE_ZH.get(actual, actual)}")
    out = from_cel(value)
    if isinstance(out, float) and not math.isfinite(out):
        raise CelError(EVALUATION, "计算出错：结果不是有限数值（可能除以了 0.0）")
    return out


def evaluate(source: str, inputs: Mapping[str, Any], types: Mapping[str, str | CelType],
             expected: str | None = None) -> Any:
    """One-shot: compile against `types`, convert `inputs`, evaluate, check the result type.
    Returns a plain Python value."""
    program = compile_expression(source, types)
    activation = {name: to_cel(inputs.get(name), types[name], name) for name in program.variables}
    value = program.evaluate(activation)
    return check_result(value, expected) if expected else from_cel(value)


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def evaluate_condition(source: str, data: Mapping[str, Any]) -> bool:
    """A bool expression over untyped JSON data, such as a BPMN gateway over task data.
    Every top-level key that is an identifier is an input of type dyn."""
    names = [k for k in data if isinstance(k, str) and _IDENT.match(k)]
    program = compile_expression(source, names)
    activation = {n: _dyn_to_cel(data[n], n) for n in program.variables}
    return check_result(program.evaluate(activation), "bool")
