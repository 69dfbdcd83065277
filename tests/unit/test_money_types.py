"""Money and area: one module each (app/core/money.py, app/core/area.py), and no float anywhere.

A shared mechanism with no feature ID of its own (ARCHITECTURE: "Money ... Floats are never used").
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import typing
from decimal import Decimal

import pytest
from pydantic import BaseModel
from tortoise import fields
from tortoise.models import Model

from app.core import money
from app.core.area import format_area, parse_area

# A field named like money or area: rent_standard, total_investment_fen, building_area, fee, ...
MONEY_OR_AREA = re.compile(r"rent|amount|fee|price|deposit|area|investment|income|fen|yuan|cost|tax|salary|"
                           r"balance|arrears|refund|payment|bill|subsid|money", re.I)
SKIP = {"app.main", "app.cli"}  # entry points: running them starts a server or a command


def _all_modules() -> list:
    out = []
    for pkg_name in ("app", "channels", "exchange"):
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
            if info.name in SKIP or ".migrations." in info.name or info.name.endswith("__main__"):
                continue
            out.append(importlib.import_module(info.name))
    return out


def _is_float(annotation: typing.Any) -> bool:
    if annotation is float:
        return True
    return any(_is_float(a) for a in typing.get_args(annotation))


def test_no_float_field_named_like_money_or_area():
    import app.domains  # noqa: F401 - installs the domains, so their models are walked too
    models, schemas = set(), set()
    for mod in _all_modules():
        for obj in vars(mod).values():
            if isinstance(obj, type) and obj.__module__ == mod.__name__:
                if issubclass(obj, Model) and obj is not Model:
                    models.add(obj)
                elif issubclass(obj, BaseModel) and obj is not BaseModel:
                    schemas.add(obj)
    assert len(models) > 20 and len(schemas) > 20, (len(models), len(schemas))  # the walk saw the app
    bad = [f"{m.__module__}.{m.__name__}.{name}" for m in models
           for name, f in m._meta.fields_map.items() if isinstance(f, fields.FloatField) and MONEY_OR_AREA.search(name)]
    bad += [f"{s.__module__}.{s.__name__}.{name}" for s in schemas
            for name, f in s.model_fields.items() if _is_float(f.annotation) and MONEY_OR_AREA.search(name)]
    assert bad == [], "money and area are Decimal (area) or integer fen (money), never float:\n" + "\n".join(bad)


def test_the_walk_would_catch_a_float_amount():
    class Sneaky(BaseModel):
        monthly_rent: float | None = None
    assert _is_float(Sneaky.model_fields["monthly_rent"].annotation) and MONEY_OR_AREA.search("monthly_rent")


def test_parse_and_format_money():
    assert money.parse_fen("1,580.5") == 158050 and money.parse_fen(1580) == 158000
    assert money.parse_fen(" 0.01 ") == 1 and money.parse_fen(Decimal("12.30")) == 1230
    # A decoder's float (a JSON number, an Excel cell) is read by its repr: exactly what was typed.
    assert money.parse_fen(1580.1) == 158010 and money.parse_fen(0.29) == 29
    assert money.fen_to_yuan(158000) == "1580.00" and money.fen_to_yuan(-5) == "-0.05"
    assert money.fen_to_yuan(None) is None
    assert money.format_yuan(158000000) == "1,580,000.00"
    for bad, msg in ((True, "租金应为数字"), (None, "租金应为数字"), ("abc", "租金应为数字"), ("NaN", "租金应为数字"),
                     ("Infinity", "租金应为数字"), ("", "租金应为数字"), ("1.234", "租金最多两位小数"),
                     (0.1 + 0.2, "租金最多两位小数"), ("-1", "租金不能为负数"), ("1e30", "租金过大"), ([], "租金应为数字")):
        with pytest.raises(ValueError) as e:
            money.parse_fen(bad, "租金")
        assert str(e.value) == msg, (bad, str(e.value))
    with pytest.raises(ValueError, match="租金标准不能超过1000000"):
        money.parse_yuan("1000000.01", "租金标准", limit=Decimal("1000000"))
    with pytest.raises(ValueError, match="应大于0"):
        money.parse_yuan("0", "租金", positive=True)


def test_rounding_is_half_up_to_the_fen():
    assert money.round_fen(Decimal("0.005")) == 1 and money.round_fen(Decimal("0.015")) == 2
    assert money.round_fen(Decimal("1580") / 3) == 52667  # 526.666… yuan
    assert money.round_fen(Decimal("-0.005")) == -1
    with pytest.raises(ValueError):
        money.yuan_to_fen(Decimal("0.005"))  # exact conversion refuses what would need rounding


def test_area_and_form_numbers():
    assert parse_area("85.5") == Decimal("85.50") and format_area(Decimal("85.5")) == "85.50"
    assert format_area(None) is None
    with pytest.raises(ValueError, match="面积应大于0"):
        parse_area("0", positive=True)
    assert money.form_number(Decimal("85.50")) == 85.5 and money.form_number(Decimal("900")) == 900
    assert isinstance(money.form_number(Decimal("900.00")), int)
    assert money.to_decimal(money.form_number(Decimal("1580.10"))) == Decimal("1580.1")
