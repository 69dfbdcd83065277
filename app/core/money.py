"""Money: the one way amounts are held, parsed, rounded and shown.

- Stored and computed as integer fen (分): `BigIntField` columns named `*_fen`, Python `int`.
- Shown in the API and in exports as a yuan string with two decimals: 158000 -> "1580.00"
  (`fen_to_yuan`); in documents with thousands separators: "1,580.00" (`format_yuan`).
- Parsed from user input, JSON and Excel with `parse_yuan` (to a two-place Decimal) or `parse_fen`
  (to fen). Input with more than two decimals is refused, never rounded: a clerk who typed
  1580.555 made a mistake we should show, not hide.
- Accepted input types: str ("1580.5", " 1,580.50 "), int, Decimal. A float is only what a decoder
  hands us for a typed number (json.loads for a JSON number, openpyxl for a numeric cell); it is
  read by its shortest repr, which is exactly the decimal the sender wrote, so 1580.1 is
  Decimal("1580.1"), never 1580.0999999999999. No arithmetic is ever done on a float.
  bool, None, NaN, infinities and text that is not a number are refused with a Chinese message
  (ValueError: pydantic turns it into a field error, services into InvalidInput).

Rounding rule: ROUND_HALF_UP to the fen (`round_fen`), applied once, at the end of a computation
(a pro-rata rent, a share of a bill), never to input. Half-up is the rule people check by hand
and the one the Chinese accounting and tax rules use (四舍五入); banker's rounding would make a
tenant's 0.005 yuan round differently from a calculator.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ROUNDING = ROUND_HALF_UP
FEN_PER_YUAN = 100
MAX_FEN = 10**15  # 10 trillion yuan: beyond any amount we hold, inside bigint


def to_decimal(v: Any, what: str = "金额") -> Decimal:
    """A finite Decimal from str / int / Decimal (or a decoder's float, by its repr); else ValueError."""
    if isinstance(v, bool) or v is None:
        raise ValueError(f"{what}应为数字")
    if isinstance(v, float):
        text = repr(v)
    elif isinstance(v, (int, Decimal)):
        text = str(v)
    elif isinstance(v, str):
        text = v.strip().replace(",", "")
    else:
        raise ValueError(f"{what}应为数字")
    if not text:
        raise ValueError(f"{what}应为数字")
    try:
        d = Decimal(text)
    except InvalidOperation as e:
        raise ValueError(f"{what}应为数字") from e
    if not d.is_finite():
        raise ValueError(f"{what}应为数字")
    return d


def parse_decimal(v: Any, what: str, *, limit: Decimal, positive: bool = False,
                  limit_message: str | None = None) -> Decimal:
    """A non-negative amount with at most two decimals, up to `limit`: the checks money and area share.

    `positive` refuses 0 too. `limit_message` replaces the default "{what}不能超过{limit}"."""
    d = to_decimal(v, what)
    if abs(d) > limit:  # first, and before quantize: 1e277 would overflow the decimal context
        raise ValueError(limit_message or f"{what}不能超过{limit}")
    if d != d.quantize(CENT, rounding=ROUNDING):
        raise ValueError(f"{what}最多两位小数")
    if positive and d <= 0:
        raise ValueError(f"{what}应大于0")
    if d < 0:
        raise ValueError(f"{what}不能为负数")
    return d.quantize(CENT)


def parse_yuan(v: Any, what: str = "金额", *, limit: Decimal | None = None, positive: bool = False,
               limit_message: str | None = None) -> Decimal:
    """User input in yuan -> a two-place Decimal (refuses negatives, >2 decimals, and more than `limit`)."""
    top = (Decimal(MAX_FEN - 1) / FEN_PER_YUAN) if limit is None else limit
    return parse_decimal(v, what, limit=top, positive=positive,
                         limit_message=limit_message or (f"{what}过大" if limit is None else None))


def parse_fen(v: Any, what: str = "金额", **kw: Any) -> int:
    """User input in yuan -> integer fen ("1580.5" -> 158050)."""
    return yuan_to_fen(parse_yuan(v, what, **kw))


def yuan_to_fen(yuan: Decimal | None) -> int | None:
    """An exact two-place yuan Decimal -> fen. A computed amount goes through `round_fen` instead."""
    if yuan is None:
        return None
    fen = yuan * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError("金额最多两位小数")
    return int(fen)


def round_fen(yuan: Decimal) -> int:
    """A computed yuan amount rounded to the fen, ROUND_HALF_UP (the rule above)."""
    return int((Decimal(yuan) * FEN_PER_YUAN).to_integral_value(rounding=ROUNDING))


def fen_to_yuan(fen: int | None) -> str | None:
    """158000 -> "1580.00", -5 -> "-0.05"; None stays None."""
    if fen is None:
        return None
    f = int(fen)
    sign = "-" if f < 0 else ""
    q, r = divmod(abs(f), FEN_PER_YUAN)
    return f"{sign}{q}.{r:02d}"


def format_yuan(fen: int) -> str:
    """158000000 -> "1,580,000.00": for documents and printed notices."""
    f = int(fen)
    sign = "-" if f < 0 else ""
    q, r = divmod(abs(f), FEN_PER_YUAN)
    return f"{sign}{q:,}.{r:02d}"


def form_number(d: Decimal | None) -> int | float | None:
    """A two-place Decimal as a case form's number (form-create's inputNumber holds a JSON number).

    Exact: the float's shortest repr is the decimal itself, and `to_decimal` reads it back by that
    repr, so the value round-trips without ever being computed on as a float."""
    if d is None:
        return None
    d = Decimal(d)
    if d == d.to_integral_value():
        return int(d)
    n = float(d)
    if Decimal(repr(n)) != d:
        raise ValueError(f"{d} 不能作为表单数字精确保存")
    return n
