"""Response shapes of the 数据交换监控 API, for the OpenAPI document and the admin's typed client.

Every code a row carries comes with its Chinese name next to it (`type_name`, `partner_name`,
`status_name`, `direction_name`, `error_name`) and a failure with a sentence (`error_text`); a
screen shows those, and keeps the codes for the detail drawer.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class MessageRow(BaseModel):
    id: int
    direction: str = Field(description="out 发送 / in 接收")
    direction_name: str
    message_id: str = Field(description="报文编号（UUIDv7）")
    correlation_id: str | None = Field(None, description="关联报文编号")
    partner: str = Field(description="对方系统代码")
    partner_name: str = Field(description="对方系统名称")
    type: str = Field(description="报文类型代码，如 unit_table.query")
    type_name: str = Field(description="报文类型中文名称，如 楼盘表查询")
    business_no: str | None = Field(None, description="业务编号")
    status: str
    status_name: str
    attempts: int
    next_attempt_at: str | None = None
    error_code: str | None = Field(None, description="错误代码（仅在详情中展示）")
    error_name: str | None = Field(None, description="错误代码的中文简称")
    error_text: str | None = Field(None, description="给业务人员看的错误说明")
    last_error: str | None = Field(None, description="原始错误信息（仅在详情中展示）")
    key_id: str | None = None
    created_at: str | None = None
    sent_at: str | None = None
    finished_at: str | None = None
    latency_ms: int | None = None


class MessagePage(BaseModel):
    items: list[MessageRow]
    total: int
    page: int
    page_size: int


class MessageDetail(MessageRow):
    body: Any = Field(None, description="报文内容（默认脱敏）")
    reply: Any = Field(None, description="应答内容（默认脱敏）")
    envelope: str | None = Field(None, description="拒收报文原文（仅 unmask=1）")
    masked: bool


class PartnerStats(BaseModel):
    code: str
    name: str
    feature: str | None
    interface: str | None
    interface_name: str | None = Field(None, description="接口方式：查询接口、推送接口…")
    total: int
    out: int
    in_: int = Field(alias="in")
    by_status: dict[str, int]
    pending: int
    dead: int
    out_p50_ms: int | None
    out_p99_ms: int | None
    in_p50_ms: int | None
    in_p99_ms: int | None


class StatsRow(BaseModel):
    partner: str
    partner_name: str
    type: str
    type_name: str
    direction: str
    status: str
    count: int


class Stats(BaseModel):
    since: str
    hours: int
    partners: list[PartnerStats]
    rows: list[StatsRow]
    statuses: dict[str, str] = Field(description="状态代码 → 中文")
    directions: dict[str, str]
    types: dict[str, str] = Field(description="报文类型代码 → 中文名称")
    errors: dict[str, str] = Field(description="错误代码 → 中文简称")


class PartnerInfo(BaseModel):
    code: str
    name: str
    feature: str
    interface: str
    interface_name: str


class MessageType(BaseModel):
    code: str
    name: str


class PartnerList(BaseModel):
    items: list[PartnerInfo]
    types: list[MessageType]
