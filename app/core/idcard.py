"""GB 11643 citizen ID numbers: check digit, birth date and region. Pure functions."""
from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# GB/T 2260 province-level codes.
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}
_RE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def id_number_error(value: str, today: date | None = None) -> str | None:
    """Returns a Chinese reason when the number is invalid, else None."""
    v = (value or "").strip().upper()
    if not _RE.match(v):
        return "身份证号码应为18位，前17位为数字，末位为数字或X"
    if v[:2] not in _PROVINCES or v[2:4] == "00" and v[:2] not in {"11", "12", "31", "50"}:
        return "身份证号码的地区码无效"
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return "身份证号码的出生日期无效"
    today = today or date.today()
    if born > today or born.year < 1900:
        return "身份证号码的出生日期无效"
    if check_digit(v[:17]) != v[17]:
        return "身份证号码校验位错误"
    return None


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def birth_date(v: str) -> date:
    return date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


def gender(v: str) -> str:
    return "M" if int(v[16]) % 2 else "F"
