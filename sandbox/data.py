"""Deterministic synthetic data for the partner stand-ins, keyed by ID number. Pure functions.

Everyone is an *ordinary* person unless listed in PERSONAS: details (income level, employer,
months insured, residence address) are drawn from a generator seeded by the SHA-256 of the ID
number, so the same number always gets the same answers; and an ordinary person has nothing that
bars eligibility (no property, company, car or 低保, identity check passes with the name given).
The personas are people picked on purpose, one per situation tests and demos need; sandbox/README.md
lists them. Dates that move with time (income months, insurance months) count back from `today`.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.core.idcard import birth_date, check_digit, gender, id_number_error

JIANGMEN = "440700"
DISTRICTS = {
    "440703": "蓬江区", "440704": "江海区", "440705": "新会区", "440781": "台山市",
    "440783": "开平市", "440784": "鹤山市", "440785": "恩平市",
}
STREETS = {
    "440703": ["建设路", "港口一路", "白沙大道西", "胜利路", "江华路", "迎宾大道中"],
    "440704": ["五邑路", "金瓯路", "高新西路", "江睦路"],
    "440705": ["今古洲路", "冈州大道中", "新会大道", "中心南路"],
    "440781": ["环北大道", "台西路", "通济路"],
    "440783": ["幕沙路", "长沙西郊路", "三埠祥龙路"],
    "440784": ["沙坪人民路", "鹤山大道"],
    "440785": ["新平路", "恩城锦江大道"],
}
PROVINCES = {
    "11": "北京市", "31": "上海市", "36": "江西省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "41": "河南省", "42": "湖北省", "35": "福建省",
}
ETHNICITY = "汉族"

# GB 32100 统一社会信用代码 alphabet and weights.
_CC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(first17: str) -> str:
    """Append the GB 32100 check character."""
    total = sum(_CC_ALPHABET.index(c) * w for c, w in zip(first17, _CC_WEIGHTS))
    return first17 + _CC_ALPHABET[(31 - total % 31) % 31]


def id_number(first17: str) -> str:
    return first17 + check_digit(first17)


EMPLOYERS = [(name, credit_code(code)) for name, code in [
    ("江门市恒达电子有限公司", "91440703MA4W1K2L3"),
    ("江门市五邑物流有限公司", "91440704MA51B2C3D"),
    ("江门市新会区冈州食品有限公司", "91440705MA52E3F4G"),
    ("广东侨乡建设工程有限公司", "91440700MA53H4J5K"),
    ("江门市蓬江区美好家政服务有限公司", "92440703MA54L5M6N"),
    ("江门市江海区智造科技有限公司", "91440704MA55P6Q7R"),
    ("台山市海宴水产有限公司", "91440781MA56T7U8W"),
    ("开平市碉楼旅游发展有限公司", "91440783MA57X8Y9A"),
]]


def _rng(id_number_: str, salt: str) -> random.Random:
    digest = hashlib.sha256(f"{salt}:{id_number_}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _months_back(today: date, n: int) -> list[str]:
    """The n whole months before today's month, oldest first, as YYYY-MM."""
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return out[::-1]


def monthly_tax_fen(income_fen: int) -> int:
    """Individual income tax on one month's wages: 5000 yuan allowance, 10.5 % social insurance
    deducted, then the monthly bracket table (rate, quick deduction)."""
    taxable = income_fen - 500_000 - income_fen * 105 // 1000
    if taxable <= 0:
        return 0
    for limit, rate, quick in ((300_000, 3, 0), (1_200_000, 10, 21_000), (2_500_000, 20, 141_000),
                               (3_500_000, 25, 266_000), (5_500_000, 30, 441_000), (8_000_000, 35, 716_000)):
        if taxable <= limit:
            return taxable * rate // 100 - quick
    return taxable * 45 // 100 - 1_516_000


@dataclass(frozen=True)
class Persona:
    """A person picked on purpose. Fields left None fall back to the ordinary, seeded answers."""
    id_number: str
    name: str
    situation: str  # Chinese, one line, shown in README and on the sandbox page
    properties: tuple[dict[str, Any], ...] = ()
    companies: tuple[dict[str, Any], ...] = ()
    vehicles: tuple[dict[str, Any], ...] = ()
    police: str = "ok"  # ok | not_found
    name_on_file: str | None = None  # police register name when it differs from what is asked
    monthly_income_fen: int | None = None  # None: seeded; 0: no income declared
    income_months: int | None = None  # declared only for the last N months
    insurance: dict[str, Any] | None = None
    civil: dict[str, Any] = field(default_factory=dict)


def _persona(first17: str, name: str, situation: str, **kw: Any) -> Persona:
    return Persona(id_number=id_number(first17), name=name, situation=situation, **kw)


_SPOUSE_A, _SPOUSE_B = id_number("44070319900520123"), id_number("44070319910808224")

PERSONAS: dict[str, Persona] = {p.id_number: p for p in [
    _persona("44070319850312101", "陈建华", "在江门蓬江区有一套住房（不动产登记）",
             properties=({"certificate_no": "粤(2019)江门市不动产权第0012345号",
                          "register_id": "440703001002GB00012F00010501", "address": "江门市蓬江区建设路28号5座501",
                          "district_code": "440703", "usage": "住宅", "building_area": "89.50",
                          "registered_on": "2019-06-18", "ownership": "sole", "share": ""},)),
    _persona("44070419790905213", "梁志强", "在江门有两处房产：新会区住房（与配偶共有）和江海区商铺",
             properties=({"certificate_no": "粤(2016)江门市新会区不动产权第0004521号",
                          "register_id": "440705003001GB00231F00020302", "address": "江门市新会区今古洲路66号2座302",
                          "district_code": "440705", "usage": "住宅", "building_area": "112.36",
                          "registered_on": "2016-03-09", "ownership": "joint", "share": "1/2"},
                         {"certificate_no": "粤(2021)江门市不动产权第0078810号",
                          "register_id": "440704002004GB00517F00010103", "address": "江门市江海区五邑路121号首层103",
                          "district_code": "440704", "usage": "商业", "building_area": "45.20",
                          "registered_on": "2021-11-30", "ownership": "sole", "share": ""})),
    _persona("44070519820720315", "李伟明", "是一家存续公司的法定代表人（市场监督）",
             companies=({"name": "江门市明辉贸易有限公司", "credit_code": credit_code("91440705MA4UQ8R2X"),
                         "registered_on": "2015-04-20", "status": "active", "registered_capital_fen": 100_000_000},)),
    _persona("36010219950417422", "王芳", "非江门户籍（江西南昌），在江门连续缴纳社保 6 个月",
             monthly_income_fen=520_000, income_months=6,
             insurance={"months": 6, "continuous": 6, "employer": 0}),
    _persona("44078119700228534", "黄桂英", "在享低保（民政），丧偶，无收入申报",
             monthly_income_fen=0, insurance={"months": 0, "continuous": 0, "employer": None},
             civil={"marital_status": "widowed", "marital_registered_on": None, "subsistence_allowance": True,
                    "allowance_since": "2023-03-01", "allowance_monthly_fen": 76_000}),
    _persona("44078319880808645", "吴俊杰", "名下有一辆小型轿车（车辆管理）",
             vehicles=({"plate_no": "粤J·A8K25", "vehicle_type": "小型轿车", "brand": "比亚迪牌BYD7152WT6HEVC3",
                        "registered_on": "2021-05-20", "status": "normal"},
                       {"plate_no": "粤J·3M691", "vehicle_type": "普通二轮摩托车", "brand": "五羊-本田WH125T-8",
                        "registered_on": "2012-09-03", "status": "scrapped"})),
    _persona("44078419920101756", "赵丽娟", "公安登记姓名为赵丽娟：用其他姓名核查即“姓名与号码不一致”",
             name_on_file="赵丽娟"),
    _persona("44078520000229867", "孙浩然", "身份证号码校验位正确，但公安查无此人（其他部门也没有记录）",
             police="not_found", monthly_income_fen=0, insurance={"months": 0, "continuous": 0, "employer": None}),
    _persona("44070319800615978", "周敏", "高收入：月收入 28000 元（税务）",
             monthly_income_fen=2_800_000),
    _persona("44070319900520123", "刘洋", "已婚，配偶张静（民政）",
             civil={"marital_status": "married", "marital_registered_on": "2018-10-01",
                    "spouse": {"name": "张静", "id_number": _SPOUSE_B}}),
    _persona("44070319910808224", "张静", "已婚，配偶刘洋（民政）",
             civil={"marital_status": "married", "marital_registered_on": "2018-10-01",
                    "spouse": {"name": "刘洋", "id_number": _SPOUSE_A}}),
    _persona("44070519830310331", "何立", "离异（2022-05-16 办理离婚登记）",
             civil={"marital_status": "divorced", "marital_registered_on": "2022-05-16"}),
    _persona("44070419960901442", "林小冬", "从未参保，无收入申报（社保、税务均无记录）",
             monthly_income_fen=0, insurance={"months": 0, "continuous": 0, "employer": None}),
]}


def persona(id_number_: str) -> Persona | None:
    return PERSONAS.get(id_number_.upper())


def valid(id_number_: str) -> bool:
    return id_number_error(id_number_) is None


# ---------------------------------------------------------------- INT-01 不动产登记

def properties(persons: list[dict[str, str]]) -> list[dict[str, Any]]:
    out = []
    for p in persons:
        who = persona(p["id_number"])
        out.append({"id_number": p["id_number"].upper(), "name": p["name"],
                    "properties": [dict(x) for x in who.properties] if who else []})
    return out


# ---------------------------------------------------------------- INT-02 税务

def income(id_number_: str, months: int, today: date) -> list[dict[str, Any]]:
    who = persona(id_number_)
    base = who.monthly_income_fen if who and who.monthly_income_fen is not None else None
    if base is None:
        base = _rng(id_number_, "income").randrange(3500, 9500, 50) * 100
    if base == 0:
        return []
    declared = who.income_months if who and who.income_months is not None else months
    employer = _employer(id_number_, who)
    out = []
    for month in _months_back(today, months)[-declared:] if declared else []:
        # Up to ±5 % from month to month, the same every time for the same person and month.
        wiggle = _rng(id_number_, f"income:{month}").randint(-5, 5)
        amount = base * (100 + wiggle) // 100
        out.append({"month": month, "income_fen": amount, "tax_fen": monthly_tax_fen(amount),
                    "withholding_agent": employer[0] if employer else None})
    return out


# ---------------------------------------------------------------- INT-03 社保

def _employer(id_number_: str, who: Persona | None) -> tuple[str, str] | None:
    if who and who.insurance is not None:
        idx = who.insurance.get("employer")
        return None if idx is None else EMPLOYERS[idx]
    return _rng(id_number_, "employer").choice(EMPLOYERS)


def insurance(id_number_: str, today: date) -> dict[str, Any]:
    who = persona(id_number_)
    if who and who.insurance is not None:
        months, continuous = who.insurance["months"], who.insurance["continuous"]
    else:
        r = _rng(id_number_, "insurance")
        months = r.randint(12, 120)
        continuous = r.randint(12, months)
    employer = _employer(id_number_, who)
    if months == 0:
        return {"id_number": id_number_.upper(), "status": "none", "months_paid_jiangmen": 0,
                "continuous_months": 0, "first_paid_month": None, "last_paid_month": None, "current_employer": None}
    paid = _months_back(today, months)
    return {"id_number": id_number_.upper(), "status": "active", "months_paid_jiangmen": months,
            "continuous_months": continuous, "first_paid_month": paid[0], "last_paid_month": paid[-1],
            "current_employer": {"name": employer[0], "credit_code": employer[1]} if employer else None}


# ---------------------------------------------------------------- INT-04 公安

class NotFound(Exception):
    pass


def _residence(id_number_: str) -> tuple[str, str, bool]:
    """(address, region code, in Jiangmen) from the ID number's region and a seeded street."""
    region = id_number_[:6]
    r = _rng(id_number_, "address")
    if region[:4] == "4407":
        district = region if region in DISTRICTS else "440703"
        street = r.choice(STREETS[district])
        return f"广东省江门市{DISTRICTS[district]}{street}{r.randint(1, 300)}号", district, True
    province = PROVINCES.get(region[:2], "")
    return f"{province}（行政区划代码 {region}）{r.choice(['人民路', '解放路', '中山路'])}{r.randint(1, 500)}号", region, False


def hukou(id_number_: str, name: str) -> dict[str, Any]:
    who = persona(id_number_)
    if not valid(id_number_) or (who and who.police == "not_found"):
        raise NotFound
    address, region, in_jm = _residence(id_number_)
    born = birth_date(id_number_)
    moved_in = None
    if in_jm and _rng(id_number_, "moved").random() < 0.4:
        moved_in = date(born.year + _rng(id_number_, "moved-year").randint(18, 25), 9, 1).isoformat()
    return {"id_number": id_number_.upper(), "name": (who.name_on_file if who and who.name_on_file else name),
            "gender": gender(id_number_), "birth_date": born.isoformat(), "ethnicity": ETHNICITY,
            "address": address, "region_code": region, "in_jiangmen": in_jm, "moved_in_on": moved_in}


def identity(name: str, id_number_: str) -> dict[str, Any]:
    who = persona(id_number_)
    if not valid(id_number_) or (who and who.police == "not_found"):
        return {"result": "not_found", "message": "查无此人"}
    if who and who.name_on_file and who.name_on_file != name:
        return {"result": "name_mismatch", "message": "姓名与公民身份号码不一致"}
    return {"result": "match", "message": "姓名与公民身份号码一致"}


# ---------------------------------------------------------------- INT-05 民政

def civil(id_number_: str) -> dict[str, Any]:
    who = persona(id_number_)
    c = who.civil if who else {}
    return {"id_number": id_number_.upper(), "marital_status": c.get("marital_status", "single"),
            "marital_registered_on": c.get("marital_registered_on"), "spouse": c.get("spouse"),
            "subsistence_allowance": c.get("subsistence_allowance", False),
            "allowance_since": c.get("allowance_since"), "allowance_monthly_fen": c.get("allowance_monthly_fen")}


# ---------------------------------------------------------------- INT-06 / INT-07

def companies(id_number_: str) -> list[dict[str, Any]]:
    who = persona(id_number_)
    return [dict(c) for c in who.companies] if who else []


def vehicles(id_number_: str) -> list[dict[str, Any]]:
    who = persona(id_number_)
    return [dict(v) for v in who.vehicles] if who else []


# ---------------------------------------------------------------- REA-01 楼盘表

@dataclass(frozen=True)
class Project:
    code: str
    name: str
    district_code: str
    address: str
    developer: str
    developer_credit_code: str
    category: str  # commercial | arh
    parcel: str  # 宗地号 within the district, 7 characters
    # (name, floors, units per floor[, entrances]): with entrances > 1 the building is numbered per
    # entrance, so each entrance has its own 101, 102, ...
    buildings: tuple[tuple, ...]


PROJECTS = [
    Project("JMP0001", "滨江保障公寓", "440703", "江门市蓬江区白沙大道西88号", "江门市安居投资有限公司",
            credit_code("91440703MA4X0A1B2"), "arh", "GB00101", (("1栋", 12, 4), ("2栋", 12, 4))),
    Project("JMP0002", "江海人才公寓", "440704", "江门市江海区金瓯路168号", "江门市江海城建开发有限公司",
            credit_code("91440704MA4X0C3D4"), "arh", "GB00202", (("A座", 18, 6, 2),)),
    Project("JMP0003", "新会悦府", "440705", "江门市新会区今古洲路99号", "江门市新会碧海置业有限公司",
            credit_code("91440705MA4X0E5F6"), "commercial", "GB00303", (("1座", 26, 4), ("2座", 26, 4))),
    Project("JMP0004", "侨乡花园", "440781", "台山市台城环北大道128号", "台山市侨乡房地产开发有限公司",
            credit_code("91440781MA4X0G7H8"), "commercial", "GB00404", (("3栋", 9, 2),)),
]
LAYOUTS = (("一房一厅", "45.60", "36.80"), ("两房一厅", "68.90", "55.20"), ("两房两厅", "82.30", "66.10"),
           ("三房两厅", "98.70", "79.40"))


def register_id(p: Project, building_no: int, floor: int, unit_no: int) -> str:
    """不动产单元号: region(6) 地籍区(3) 地籍子区(3) 宗地(7) 定着物 F+building(4)+room(4)."""
    return f"{p.district_code}001001{p.parcel}F{building_no:04d}{floor:02d}{unit_no:02d}"


def _units(p: Project, building_no: int, floors: int, per_floor: int, entrances: int = 1) -> list[dict[str, Any]]:
    units = []
    per_entrance = per_floor // entrances
    for floor in range(1, floors + 1):
        for u in range(1, per_floor + 1):
            layout, area, inner = LAYOUTS[(u - 1) % len(LAYOUTS)]
            rid = register_id(p, building_no, floor, u)
            if p.category == "arh":
                status = "leased" if _rng(rid, "status").random() < 0.6 else "unsold"
            else:
                status = "sold" if _rng(rid, "status").random() < 0.7 else "unsold"
            unit = {"register_id": rid, "room_no": f"{floor}{u:02d}", "floor": floor,
                    "building_area": area, "inner_area": inner, "layout": layout, "usage": "住宅",
                    "category": p.category, "status": status}
            if entrances > 1:
                e, k = divmod(u - 1, per_entrance)
                unit["entrance"], unit["room_no"] = f"{e + 1}单元", f"{floor}{k + 1:02d}"
            units.append(unit)
    return units


def project_table(p: Project, arh_only: bool = False) -> dict[str, Any] | None:
    if arh_only and p.category != "arh":
        return None
    return {"project_code": p.code, "name": p.name, "district_code": p.district_code, "address": p.address,
            "developer": p.developer, "developer_credit_code": p.developer_credit_code,
            "buildings": [{"building_code": f"{p.code}-B{i:02d}", "name": name, "floors": spec[0],
                           "units": _units(p, i, *spec)}
                          for i, (name, *spec) in enumerate(p.buildings, start=1)]}


def unit_table(keyword: str | None, project_code: str | None, district_code: str | None,
               arh_only: bool, limit: int = 10) -> dict[str, Any]:
    found = [p for p in PROJECTS
             if (not keyword or keyword in p.name or keyword in p.address)
             and (not project_code or p.code == project_code)
             and (not district_code or p.district_code == district_code)]
    tables = [t for t in (project_table(p, arh_only) for p in found) if t]
    return {"projects": tables[:limit], "truncated": len(tables) > limit}


def find_unit(rid: str) -> tuple[Project, dict[str, Any]] | None:
    for p in PROJECTS:
        table = project_table(p)
        for b in table["buildings"]:
            for u in b["units"]:
                if u["register_id"] == rid:
                    return p, u
    return None


# ---------------------------------------------------------------- stable identifiers

def digits(key: str, n: int, salt: str = "") -> str:
    """n decimal digits derived from key: the same key always gets the same number."""
    value = int.from_bytes(hashlib.sha256(f"{salt}:{key}".encode()).digest(), "big")
    return f"{value % 10**n:0{n}d}"
