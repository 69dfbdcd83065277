"""Area (面积, ㎡): a Decimal with two places, stored in DecimalField(…, 2) columns and shown as
"85.50". Parsed with the same rules as money (app/core/money.py: str/int/Decimal, a decoder's
float by its repr, never more than two decimals, never negative); never a float."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.core.money import CENT, parse_decimal

MAX_AREA = Decimal("999999999999.99")  # the widest area column, DecimalField(14, 2)


def parse_area(v: Any, what: str = "面积", *, limit: Decimal = MAX_AREA, positive: bool = False,
               limit_message: str | None = None) -> Decimal:
    return parse_decimal(v, what, limit=limit, positive=positive, limit_message=limit_message)


def format_area(d: Decimal | None) -> str | None:
    """Decimal("85.5") -> "85.50"; None stays None."""
    return None if d is None else f"{Decimal(d).quantize(CENT)}"
