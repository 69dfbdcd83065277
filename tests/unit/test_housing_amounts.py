"""Amounts the fuzzer once turned into a 500: huge floats must be refused, not overflow."""
import pytest

from app.core.money import parse_decimal
from app.domains.housing.stock.schemas import MAX_AREA, MAX_RENT

pytestmark = pytest.mark.feature("GOV-06-03", "GOV-06-05")


@pytest.mark.parametrize("v", [1.7585176855602027e+277, 1.7976931348623157e+308, "1e30", -1e300])
def test_huge_amounts_are_refused_in_chinese(v):
    for limit in (MAX_AREA, MAX_RENT):
        with pytest.raises(ValueError, match="不能超过"):
            parse_decimal(v, "面积", positive=True, limit=limit)


def test_ordinary_amounts_pass():
    assert str(parse_decimal("1,580.5", "租金标准", positive=False, limit=MAX_RENT)) == "1580.50"
