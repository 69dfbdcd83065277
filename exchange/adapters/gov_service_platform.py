"""INT-08 江门市政务一体化平台: accepted cases come in with their electronic files; case results go back.

Inbound `case.accepted` is stored by the inbox; `push_case_result` queues the result in the
caller's transaction (outbox).
"""
from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from .base import Message, Name, Reply, push

PARTNER = "gov_service_platform"
T_CASE_ACCEPTED = "case.accepted"  # inbound
T_CASE_RESULT = "case.result"  # outbound push
MAX_FILE_BYTES = 5 * 1024 * 1024


class Applicant(Reply):
    name: str
    id_number: str
    phone: str | None = None


class ElectronicFile(Reply):
    name: str = Field(description="文件名")
    content_type: str = Field(description="MIME 类型")
    size: int = Field(ge=0, le=MAX_FILE_BYTES)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_base64: str

    @model_validator(mode="after")
    def _content_matches(self) -> "ElectronicFile":
        data = self.content()
        if len(data) != self.size or hashlib.sha256(data).hexdigest() != self.sha256:
            raise ValueError("电子材料内容与其大小或摘要不符")
        return self

    def content(self) -> bytes:
        try:
            return base64.b64decode(self.content_base64, validate=True)
        except ValueError as e:
            raise ValueError("电子材料内容不是合法的 Base64") from e

    @classmethod
    def of(cls, name: str, content_type: str, data: bytes) -> "ElectronicFile":
        return cls(name=name, content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                   content_base64=base64.b64encode(data).decode())


class AcceptedCase(Reply):
    """A case the platform accepted at a government service counter or online (受理件)."""
    case_no: str = Field(description="政务平台受理编号")
    business_type: str = Field(description="事项类型，如 eligibility_application 保障资格申请")
    item_name: str = Field(description="事项名称（中文）")
    accepted_at: datetime
    accepted_by: str = Field(description="受理窗口或受理人")
    applicant: Applicant
    co_applicants: list[Applicant] = []
    form: dict[str, Any] = Field(default_factory=dict, description="申请表内容")
    files: list[ElectronicFile] = Field(default_factory=list, description="电子材料")


class CaseResult(Message):
    case_no: str = Field(min_length=1, max_length=64, description="政务平台受理编号")
    our_case_no: str | None = Field(None, max_length=64, description="本平台业务编号")
    result: Literal["approved", "rejected", "returned", "withdrawn"] = Field(
        description="approved 办结通过 / rejected 不予通过 / returned 退回补正 / withdrawn 撤回")
    opinion: str = Field(min_length=1, max_length=500, description="办理意见")
    handled_by: Name
    completed_at: datetime


async def push_case_result(tx: Any, result: CaseResult) -> Any:
    return await push(tx, PARTNER, T_CASE_RESULT, result, business_no=result.our_case_no or result.case_no)
