"""INT-14 门禁监控: access events pushed by the door systems (inbound, stored by the inbox)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .base import Reply

PARTNER = "access_control"
T_ACCESS_EVENTS = "access.events"  # inbound


class AccessEvent(Reply):
    event_id: str = Field(description="门禁系统的事件编号")
    person_id_number: str = Field(description="通行人证件号码")
    person_name: str | None = None
    door: str = Field(description="门禁点，如 3栋1单元大门")
    community_code: str = Field(description="小区编码")
    occurred_at: datetime
    direction: Literal["in", "out"]
    method: Literal["face", "card", "qr", "password"] = "face"


class AccessEvents(Reply):
    events: list[AccessEvent] = Field(min_length=1, max_length=1000)
