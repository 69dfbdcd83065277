"""Request models and response serialisers for identity."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.idcard import id_number_error, normalize_id_number
from app.core.pii import mask_id_number, mask_phone, phone_error

Position = Literal["supervisor", "clerk"]
# A row ID: beyond bigint it names no row, and the database driver would fail on it.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _phone(v: str | None) -> str | None:
    if v is None:
        return v
    if err := phone_error(v):
        raise ValueError(err)
    return v


def _id_number(v: str | None) -> str | None:
    if v is None or v == "":
        return None
    v = normalize_id_number(v)
    if err := id_number_error(v):
        raise ValueError(err)
    return v


class StaffLogin(_In):
    username: str = Field(min_length=1, max_length=64, description="登录名")
    password: str = Field(min_length=1, max_length=128, description="密码")


class LoginVerify(_In):
    challenge_token: str = Field(min_length=1, max_length=128, description="第一步（账号密码）返回的 challenge_token")
    code: str = Field(min_length=1, max_length=6, description="发送到账号登记手机的6位短信验证码")


class LoginChallenge(_In):
    challenge_token: str = Field(min_length=1, max_length=128, description="第一步（账号密码）返回的 challenge_token")


class SecondFactorIn(_In):
    enabled: bool = Field(description="本人登录时是否使用短信验证码二次验证（角色要求时不能关闭）")


class PersonLogin(_In):
    id_number: str = Field(min_length=1, max_length=32, description="身份证号")
    password: str = Field(min_length=1, max_length=128, description="密码")


class ChangePassword(_In):
    old_password: str | None = Field(None, max_length=128, description="原密码（与 sms_code 二选一）")
    sms_code: str | None = Field(None, max_length=6, description="发送到绑定手机的验证码（移动端方式）")
    new_password: str = Field(min_length=1, max_length=128, description="新密码")


class SmsCodeRequest(_In):
    phone: str = Field(description="手机号")
    purpose: Literal["register", "reset_password"] = Field(description="用途：register 注册，reset_password 重置密码")
    _v = field_validator("phone")(_phone)


class MeSmsCodeRequest(_In):
    purpose: Literal["change_password", "change_phone_old", "change_phone_new"] = Field(
        description="用途：change_password 修改密码，change_phone_old 原手机号验证，change_phone_new 新手机号验证")
    phone: str | None = Field(None, description="新手机号，仅 change_phone_new 需要")
    _v = field_validator("phone")(_phone)


class Register(_In):
    name: str = Field(min_length=2, max_length=32, description="姓名")
    id_number: str = Field(description="身份证号（18位，校验位必须正确）")
    phone: str = Field(description="手机号")
    sms_code: str = Field(max_length=6, description="短信验证码")
    password: str = Field(max_length=128, description="登录密码")
    _vi = field_validator("id_number")(_id_number)
    _vp = field_validator("phone")(_phone)


class PasswordReset(_In):
    phone: str = Field(description="绑定的手机号")
    sms_code: str = Field(max_length=6, description="短信验证码")
    new_password: str = Field(max_length=128, description="新密码")
    _vp = field_validator("phone")(_phone)


class ChangePhone(_In):
    new_phone: str = Field(description="新手机号")
    new_code: str = Field(max_length=6, description="新手机号收到的验证码")
    old_code: str | None = Field(None, max_length=6, description="原手机号收到的验证码（与 password 二选一）")
    password: str | None = Field(None, max_length=128, description="当前密码（移动端方式，与 old_code 二选一）")
    _vp = field_validator("new_phone")(_phone)


class RoleIn(_In):
    name: str = Field(min_length=1, max_length=64, description="角色名称")
    description: str | None = Field(None, max_length=255, description="说明")
    permissions: list[str] = Field(default_factory=list, max_length=200, description="权限编码列表")
    org_id: RowId | None = Field(None, description="所属单位（默认本单位）")
    second_factor: bool | None = Field(None, description="持有该角色的账号登录须二次验证（短信验证码或CA证书）；"
                                       "新增时不填则按权限定：含账号、角色管理或审批权限的角色默认开启")


class RoleIds(_In):
    role_ids: list[RowId] = Field(default_factory=list, max_length=50, description="角色ID列表")


class StaffIn(_In):
    name: str = Field(min_length=2, max_length=32, description="姓名")
    phone: str = Field(description="手机号")
    id_number: str | None = Field(None, description="身份证号（可选）")
    position: Position = Field("clerk", description="supervisor 业务主管 / clerk 普通业务人员")
    hired_on: dt.date = Field(description="入职日期")
    org_id: RowId | None = Field(None, description="所属单位（默认本单位）")
    _vi = field_validator("id_number")(_id_number)
    _vp = field_validator("phone")(_phone)


class StaffUpdate(_In):
    name: str | None = Field(None, min_length=2, max_length=32)
    phone: str | None = None
    position: Position | None = None
    hired_on: dt.date | None = None
    second_factor: bool | None = Field(None, description="该账号本人登录须二次验证（角色要求时无论此项均须验证）")
    _vp = field_validator("phone")(_phone)


class StaffAccountIn(_In):
    login_name: str = Field(min_length=3, max_length=32, pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$",
                            description="登录名：字母开头，字母数字下划线")
    password: str = Field(max_length=128, description="初始密码")
    role_ids: list[RowId] = Field(default_factory=list, max_length=50)


class LeaveIn(_In):
    left_on: dt.date = Field(description="离职日期")


class PhoneIn(_In):
    phone: str = Field(description="手机号")
    _vp = field_validator("phone")(_phone)


class CaIn(_In):
    ca_cert_sn: str = Field(min_length=4, max_length=64, pattern=r"^[0-9A-Fa-f:]+$", description="CA证书序列号")
    ca_cert_subject: str = Field(min_length=1, max_length=255, description="证书主题")
    ca_valid_to: dt.date = Field(description="证书有效期至")


def pii(value: str | None, kind: str, reveal: bool) -> str | None:
    if reveal or value is None:
        return value
    return mask_phone(value) if kind == "phone" else mask_id_number(value)


def d(v: dt.date | dt.datetime | None) -> str | None:
    return v.isoformat() if v else None
