"""INT-15: the Baidu Map adapter against the sandbox's stand-in, which speaks Baidu's v3 JSON."""
from __future__ import annotations

import httpx
import pytest

from app.config import get_settings
from app.core import coords
from exchange.adapters.baidu_map import BaiduMapClient, BaiduMapError
from sandbox import baidu as stand_in

pytestmark = pytest.mark.feature("INT-15", "DATA-08")


@pytest.fixture
async def maps(sandbox):  # noqa: ANN001
    # The configured client: HTTPS to the stand-in, verified against the sandbox's CA.
    c = BaiduMapClient.from_settings(get_settings())
    assert c.base_url.startswith("https://")
    yield c
    await c.aclose()


async def test_geocode_a_jiangmen_address_to_bd09(maps):
    r = await maps.geocode("江门市蓬江区建设路28号")
    assert (r.precise, r.level, r.confidence) == (1, "门址", 80)
    wgs = r.location.to_wgs84()
    # Within a few hundred metres of the road's reference point once converted back to WGS-84.
    assert coords.distance_m(*wgs, 113.0870, 22.5900) < 400
    # The answer is in BD-09: read as WGS-84 it would sit about a kilometre off.
    assert coords.distance_m(r.location.lng, r.location.lat, 113.0870, 22.5900) > 800
    again = await maps.geocode("江门市蓬江区建设路28号")
    other = await maps.geocode("江门市蓬江区建设路90号")
    assert again.location == r.location and other.location != r.location


async def test_geocode_falls_back_to_the_district_and_knows_the_projects(maps):
    d = await maps.geocode("江门市台山市某个没有收录的村")
    assert (d.level, d.precise) == ("区县", 0)
    p = await maps.geocode("江海人才公寓")
    assert p.level == "房地产" and coords.distance_m(*p.location.to_wgs84(), 113.1245, 22.5608) < 1


async def test_unknown_address_is_baidus_no_result(maps):
    with pytest.raises(BaiduMapError) as e:
        await maps.geocode("火星殖民地一号基地", city=None)
    assert e.value.status == 1 and e.value.not_found and e.value.message == "百度地图未能找到该地址"


async def test_reverse_geocode_a_bd09_point(maps):
    bd = coords.wgs84_to_bd09(113.0815, 22.5787)
    r = await maps.reverse_geocode(*bd)
    c = r.address_component
    assert (c.province, c.city, c.district, c.adcode) == ("广东省", "江门市", "蓬江区", "440703")
    assert r.formatted_address == "广东省江门市蓬江区白沙大道西" and r.city_code == 302
    assert "江门市人民政府" in r.sematic_description


async def test_wrong_or_missing_ak_is_refused_with_baidus_codes(sandbox):
    bad = BaiduMapClient(base_url=f"{sandbox.url}/baidu", ak="not-our-ak")
    try:
        with pytest.raises(BaiduMapError) as e:
            await bad.geocode("江门市蓬江区建设路28号")
        assert e.value.status == 200 and "AK" in e.value.message
    finally:
        await bad.aclose()
    async with httpx.AsyncClient() as raw:
        r = await raw.get(f"{sandbox.url}/baidu/geocoding/v3/", params={"address": "江门", "output": "json"})
        assert r.status_code == 200 and r.json() == {"status": 101, "message": "AK参数不存在"}
        r = await raw.get(f"{sandbox.url}/baidu/reverse_geocoding/v3/",
                          params={"location": "abc", "output": "json", "ak": "sandbox-baidu-ak"})
        assert r.json()["status"] == 2


async def test_reverse_geocode_takes_other_coordinate_types(sandbox):
    async with httpx.AsyncClient() as raw:
        r = await raw.get(f"{sandbox.url}/baidu/reverse_geocoding/v3/", params={
            "location": "22.5787,113.0815", "coordtype": "wgs84ll", "output": "json", "ak": "sandbox-baidu-ak"})
    body = r.json()
    assert body["status"] == 0 and body["result"]["addressComponent"]["district"] == "蓬江区"
    loc = body["result"]["location"]
    assert coords.distance_m(loc["lng"], loc["lat"], *coords.wgs84_to_bd09(113.0815, 22.5787)) < 0.01


async def test_an_unreachable_service_is_a_chinese_error():
    c = BaiduMapClient(base_url="http://127.0.0.1:9", ak="x")
    try:
        with pytest.raises(BaiduMapError) as e:
            await c.geocode("江门")
        assert e.value.status == -1 and "无法连接" in e.value.message
    finally:
        await c.aclose()


async def test_the_service_is_reached_over_verified_tls(maps, sandbox):  # noqa: ANN001
    r = await maps.geocode("江门市蓬江区建设路28号")
    assert r.location.lng > 113
    # Without the sandbox CA the certificate is refused: verification is really on.
    c = BaiduMapClient(base_url=maps.base_url, ak="sandbox-baidu-ak")
    try:
        with pytest.raises(BaiduMapError):
            await c.geocode("江门")
    finally:
        await c.aclose()


def test_stand_in_gazetteer_points_are_inside_their_districts():
    for p in stand_in.PLACES:
        centre = stand_in.DISTRICT_CENTRES[p.district_code]
        assert coords.distance_m(p.lng, p.lat, *centre) < 25_000, p.name
