"""Baidu Map stand-in: geocoding v3 and reverse geocoding v3, in Baidu's own JSON and status codes.

The gazetteer is a small set of Jiangmen places with approximate WGS-84 points; answers are
given in BD-09 (bd09ll) by converting with exchange.adapters.coords, as Baidu's are. Matching:
the longest known place name in the address wins (precise, 门址 when a house number follows a
road); failing that a district or county-level city (区县), then the city (城市); anything else
is Baidu's "无相关结果". Only JSON output is served.
"""
from __future__ import annotations

import hashlib
import json as jsonlib
import math
import re
from dataclasses import dataclass
from functools import partial

from sanic import Blueprint, Request
from sanic import json as sanic_json
from sanic.response import JSONResponse

from app.core import coords

bp = Blueprint("sandbox_baidu", url_prefix="/baidu")
json = partial(sanic_json, dumps=partial(jsonlib.dumps, ensure_ascii=False))

CITY_CODE = 302  # Baidu's city code for 江门市
MAX_ADDRESS_BYTES = 84
COORD_TYPES = {"bd09ll": "bd09", "gcj02ll": "gcj02", "wgs84ll": "wgs84"}


@dataclass(frozen=True)
class Place:
    name: str
    district_code: str
    lng: float  # WGS-84
    lat: float
    level: str
    street: str = ""


DISTRICT_NAMES = {
    "440703": "蓬江区", "440704": "江海区", "440705": "新会区", "440781": "台山市",
    "440783": "开平市", "440784": "鹤山市", "440785": "恩平市",
}
DISTRICT_CENTRES = {
    "440703": (113.0785, 22.5960), "440704": (113.1110, 22.5600), "440705": (113.0321, 22.4587),
    "440781": (112.7940, 22.2520), "440783": (112.6980, 22.3765), "440784": (112.9640, 22.7655),
    "440785": (112.3050, 22.1830),
}
CITY_CENTRE = (113.0815, 22.5787)
PLACES = [
    Place("江门市人民政府", "440703", 113.0815, 22.5787, "政府机构", "白沙大道西"),
    Place("五邑大学", "440703", 113.0840, 22.6040, "教育", "东成村"),
    Place("江门站", "440703", 113.0506, 22.5915, "火车站", "江门大道"),
    Place("建设路", "440703", 113.0870, 22.5900, "道路", "建设路"),
    Place("港口一路", "440703", 113.0720, 22.5840, "道路", "港口一路"),
    Place("白沙大道西", "440703", 113.0760, 22.5800, "道路", "白沙大道西"),
    Place("胜利路", "440703", 113.0900, 22.5850, "道路", "胜利路"),
    Place("迎宾大道中", "440703", 113.0650, 22.6010, "道路", "迎宾大道中"),
    Place("五邑路", "440704", 113.1000, 22.5720, "道路", "五邑路"),
    Place("金瓯路", "440704", 113.1230, 22.5620, "道路", "金瓯路"),
    Place("高新西路", "440704", 113.1150, 22.5500, "道路", "高新西路"),
    Place("今古洲路", "440705", 113.0420, 22.5200, "道路", "今古洲路"),
    Place("冈州大道中", "440705", 113.0350, 22.4620, "道路", "冈州大道中"),
    Place("环北大道", "440781", 112.7920, 22.2650, "道路", "环北大道"),
    Place("幕沙路", "440783", 112.6920, 22.3790, "道路", "幕沙路"),
    Place("沙坪人民路", "440784", 112.9610, 22.7680, "道路", "沙坪人民路"),
    Place("新平路", "440785", 112.3000, 22.1800, "道路", "新平路"),
    # The sandbox unit table's projects, so intake and the project map can place them.
    Place("滨江保障公寓", "440703", 113.0748, 22.5812, "房地产", "白沙大道西"),
    Place("江海人才公寓", "440704", 113.1245, 22.5608, "房地产", "金瓯路"),
    Place("新会悦府", "440705", 113.0431, 22.5186, "房地产", "今古洲路"),
    Place("侨乡花园", "440781", 112.7935, 22.2661, "房地产", "环北大道"),
]
HOUSE_NO = re.compile(r"^\s*(\d{1,5})\s*号")


def _err(status: int, message: str) -> JSONResponse:
    # Baidu answers HTTP 200 whatever went wrong; `status` says what.
    return json({"status": status, "message": message})


def _ak_error(request: Request) -> JSONResponse | None:
    ak = request.args.get("ak", "")
    if not ak:
        return _err(101, "AK参数不存在")
    if ak != request.app.ctx.cfg.baidu_ak:
        return _err(200, "APP不存在，AK有误请检查再重试")
    if request.args.get("output", "xml") != "json":
        return _err(2, "Request Parameter Error: output only json is served by the sandbox")
    return None


def _offset(key: str, metres: float) -> tuple[float, float]:
    """A stable offset of up to `metres`, so different house numbers on one road get different points."""
    h = hashlib.sha256(key.encode()).digest()
    dx = (h[0] / 255 - 0.5) * 2 * metres
    dy = (h[1] / 255 - 0.5) * 2 * metres
    return dx / 102_000, dy / 111_000  # metres to degrees near 22.6° N


def geocode(address: str) -> dict | None:
    """Baidu's `result` for an address, or None for 无相关结果. Pure."""
    best = max((p for p in PLACES if p.name in address), key=lambda p: len(p.name), default=None)
    if best is not None:
        rest = address[address.index(best.name) + len(best.name):]
        if best.level == "道路" and (m := HOUSE_NO.match(rest)):
            dx, dy = _offset(f"{best.name}{m.group(1)}", 250)
            lng, lat, level, precise, confidence = best.lng + dx, best.lat + dy, "门址", 1, 80
        elif best.level == "道路":
            lng, lat, level, precise, confidence = best.lng, best.lat, "道路", 0, 50
        else:
            lng, lat, level, precise, confidence = best.lng, best.lat, best.level, 1, 70
        comprehension = 100
    elif (code := next((c for c, n in DISTRICT_NAMES.items() if n in address), None)) is not None:
        (lng, lat), level, precise, confidence, comprehension = DISTRICT_CENTRES[code], "区县", 0, 20, 60
    elif "江门" in address:
        (lng, lat), level, precise, confidence, comprehension = CITY_CENTRE, "城市", 0, 12, 40
    else:
        return None
    bd_lng, bd_lat = coords.wgs84_to_bd09(lng, lat)
    return {"location": {"lng": bd_lng, "lat": bd_lat}, "precise": precise, "confidence": confidence,
            "comprehension": comprehension, "level": level}


def _direction(dx: float, dy: float) -> str:
    names = ["东", "东北", "北", "西北", "西", "西南", "南", "东南"]
    return names[int(((math.degrees(math.atan2(dy, dx)) + 360 + 22.5) % 360) // 45)]


def reverse_geocode(bd_lng: float, bd_lat: float) -> dict:
    """Baidu's `result` for a BD-09 point. Pure."""
    lng, lat = coords.bd09_to_wgs84(bd_lng, bd_lat)
    location = {"lng": bd_lng, "lat": bd_lat}
    if coords.distance_m(lng, lat, *CITY_CENTRE) > 120_000:
        # Outside the stand-in's map: the country only.
        return {"location": location, "formatted_address": "", "business": "",
                "addressComponent": {"country": "中国" if not coords.out_of_china(lng, lat) else "",
                                     "country_code": 0, "province": "", "city": "", "city_level": 2,
                                     "district": "", "town": "", "town_code": "", "adcode": "0",
                                     "street": "", "street_number": "", "direction": "", "distance": ""},
                "pois": [], "roads": [], "poiRegions": [], "sematic_description": "", "cityCode": 0}
    code = min(DISTRICT_CENTRES, key=lambda c: coords.distance_m(lng, lat, *DISTRICT_CENTRES[c]))
    near = min((p for p in PLACES if p.district_code == code),
               key=lambda p: coords.distance_m(lng, lat, p.lng, p.lat))
    dist = coords.distance_m(lng, lat, near.lng, near.lat)
    district = DISTRICT_NAMES[code]
    return {
        "location": location,
        "formatted_address": f"广东省江门市{district}{near.street}",
        "business": "",
        "addressComponent": {
            "country": "中国", "country_code": 0, "country_code_iso": "CHN", "country_code_iso2": "CN",
            "province": "广东省", "city": "江门市", "city_level": 2, "district": district, "town": "",
            "town_code": "", "adcode": code, "street": near.street, "street_number": "",
            "direction": _direction(lng - near.lng, lat - near.lat) if dist > 10 else "附近",
            "distance": str(round(dist)),
        },
        "pois": [], "roads": [], "poiRegions": [],
        "sematic_description": f"{near.name}附近{round(dist)}米",
        "cityCode": CITY_CODE,
    }


@bp.get("/geocoding/v3/")
async def geocoding(request: Request) -> JSONResponse:
    denied = _ak_error(request)
    if denied:
        return denied
    address = request.args.get("address", "").strip()
    if not address:
        return json({"status": 2, "msg": "Request Parameter Error: lack address", "results": []})
    if len(address.encode()) > MAX_ADDRESS_BYTES:
        return json({"status": 2, "msg": "Request Parameter Error: address too long", "results": []})
    result = geocode(address)
    if result is None:
        return json({"status": 1, "msg": "Internal Service Error:无相关结果", "results": []})
    return json({"status": 0, "result": result})


@bp.get("/reverse_geocoding/v3/")
async def reverse_geocoding(request: Request) -> JSONResponse:
    denied = _ak_error(request)
    if denied:
        return denied
    coordtype = request.args.get("coordtype", "bd09ll")
    try:
        lat_s, lng_s = request.args.get("location", "").split(",")
        lat, lng = float(lat_s), float(lng_s)
        if not (-90 <= lat <= 90 and -180 <= lng <= 180) or coordtype not in COORD_TYPES:
            raise ValueError
    except ValueError:
        return _err(2, "Request Parameter Error: location or coordtype illegal")
    bd_lng, bd_lat = coords.convert(lng, lat, COORD_TYPES[coordtype], "bd09")
    return json({"status": 0, "result": reverse_geocode(bd_lng, bd_lat)})
