"""INT-15 百度地图: geocoding and reverse geocoding in Baidu's own web-service format (v3).

Not over the envelope: Baidu is reached over HTTPS with an `ak`, at BAIDU_MAP_BASE_URL
(https://api.map.baidu.com in production; the sandbox's /baidu in development and tests).
Coordinates come and go in BD-09 (bd09ll); `exchange.adapters.coords` converts to WGS-84/GCJ-02.
Baidu answers HTTP 200 for its own errors; a non-zero `status` becomes BaiduMapError.
"""
from __future__ import annotations

from typing import Any

import ssl
from pathlib import Path

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core import coords

HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
PRODUCTION_BASE_URL = "https://api.map.baidu.com"
# Baidu's status codes (web-service appendix) that mean our configuration is wrong, not the input.
CONFIG_STATUSES = {3, 4, 5, 9, 101, 200, 201, 202, 203, 210, 211, 240, 250, 251, 252, 260, 261}


class BaiduMapError(Exception):
    """`status` is Baidu's code; str(err) is Chinese and fit for a clerk."""

    def __init__(self, status: int, message: str, provider_message: str = ""):
        super().__init__(message)
        self.status, self.message, self.provider_message = status, message, provider_message

    @property
    def not_found(self) -> bool:
        return self.status == 1 and "无相关结果" in self.provider_message


class _Baidu(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Point(_Baidu):
    lng: float
    lat: float

    def to_wgs84(self) -> tuple[float, float]:
        return coords.bd09_to_wgs84(self.lng, self.lat)

    def to_gcj02(self) -> tuple[float, float]:
        return coords.bd09_to_gcj02(self.lng, self.lat)


class GeocodeResult(_Baidu):
    location: Point = Field(description="BD-09 坐标")
    precise: int = Field(description="1 精确打点 / 0 模糊打点")
    confidence: int = Field(description="打点绝对精度")
    comprehension: int = Field(0, description="地址理解程度 0-100")
    level: str = Field(description="地址类型，如 门址、道路、区县")


class AddressComponent(_Baidu):
    country: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    town: str = ""
    street: str = ""
    street_number: str = ""
    adcode: str = ""
    direction: str = ""
    distance: str = ""


class ReverseGeocodeResult(_Baidu):
    location: Point
    formatted_address: str
    business: str = ""
    address_component: AddressComponent = Field(alias="addressComponent")
    sematic_description: str = ""  # sic: Baidu's spelling
    city_code: int = Field(0, alias="cityCode")


class BaiduMapClient:
    def __init__(self, *, base_url: str, ak: str, client: httpx.AsyncClient | None = None):
        self.base_url = base_url.rstrip("/")
        self.ak = ak
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=HTTP_TIMEOUT)

    @classmethod
    def from_settings(cls, settings: Any, *, client: httpx.AsyncClient | None = None) -> "BaiduMapClient":
        """Baidu's web service is HTTPS; with no base URL set, the sandbox's HTTPS listener and CA."""
        base = getattr(settings, "baidu_map_base_url", None)
        ca = getattr(settings, "baidu_map_ca_file", None) or None
        if not base:
            base = f"https://127.0.0.1:{getattr(settings, 'sandbox_tls_port', 8443)}/baidu"
            ca = ca or str(Path(getattr(settings, "sandbox_tls_dir")) / "ca.pem")
        if client is None:
            client = httpx.AsyncClient(timeout=HTTP_TIMEOUT, verify=ssl.create_default_context(cafile=ca)
                                       if ca else True)
            owned = True
        else:
            owned = False
        c = cls(base_url=base, ak=getattr(settings, "baidu_map_ak", None) or "sandbox-baidu-ak", client=client)
        c._owns_client = owned
        return c

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            resp = await self._client.get(f"{self.base_url}{path}", params={**params, "output": "json", "ak": self.ak})
        except httpx.HTTPError as e:
            raise BaiduMapError(-1, "百度地图服务暂时无法连接，请稍后再试", type(e).__name__) from e
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("status"), int):
            raise BaiduMapError(-1, "百度地图服务返回了无法识别的结果", f"HTTP {resp.status_code}")
        status = body["status"]
        if status != 0:
            detail = str(body.get("message") or body.get("msg") or "")
            if status in CONFIG_STATUSES:
                message = "百度地图服务密钥（AK）无效或无权限，请联系管理员"
            elif status == 1 and "无相关结果" in detail:
                message = "百度地图未能找到该地址"
            elif status == 2:
                message = "地址或坐标格式不正确"
            else:
                message = "百度地图服务暂时不可用，请稍后再试"
            raise BaiduMapError(status, message, detail)
        return body

    async def geocode(self, address: str, city: str | None = "江门市") -> GeocodeResult:
        """The BD-09 point of an address. `city` narrows the search (Baidu: it filters, not limits)."""
        params = {"address": address}
        if city:
            params["city"] = city
        body = await self._get("/geocoding/v3/", params)
        return self._parse(GeocodeResult, body)

    async def reverse_geocode(self, lng: float, lat: float) -> ReverseGeocodeResult:
        """The address at a BD-09 point. Baidu takes `location` as lat,lng."""
        body = await self._get("/reverse_geocoding/v3/", {"location": f"{lat:.6f},{lng:.6f}", "coordtype": "bd09ll"})
        return self._parse(ReverseGeocodeResult, body)

    @staticmethod
    def _parse(model: type[BaseModel], body: dict[str, Any]) -> Any:
        try:
            return model.model_validate(body.get("result"))
        except ValidationError as e:
            raise BaiduMapError(-1, "百度地图服务返回了无法识别的结果", "result does not fit") from e
