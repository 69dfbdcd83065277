"""The audit log in a clerk's words: action labels (登录, 审核通过, 锁定房屋), objects by business
number and name (业务件 BZSQ-20261126-0001, 房屋 3栋2单元101) and changes as field labels with values
(状态：可配租 → 已锁定). The codes stay in the rows; this only adds labels beside them.

One map, beside the permission codes: each package registers its actions, object types, field
labels, value labels and a batch name lookup (`register`). The core's and the platform packages'
entries are below; an installed domain registers its own from the module its DOMAIN names under
`audit`. `describe(rows)` resolves the names of a page of rows with one query per object type.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.db import conn
from app.core.regions import CITY_CODE, DISTRICT_NAMES

Names = Callable[[list[str]], Awaitable[dict[str, str]]]


@dataclass
class ObjectType:
    label: str
    names: Names | None = None  # object ids -> display names, in one query
    fields: dict[str, str] = field(default_factory=dict)  # field labels for this type only
    values: dict[str, Mapping[str, str]] = field(default_factory=dict)  # field -> code -> label


ACTIONS: dict[str, str] = {}
OBJECTS: dict[str, ObjectType] = {}


class _ObjectLabels(Mapping):
    """object type code -> its label, live over OBJECTS (for list exports and filter options)."""

    def __getitem__(self, code: str) -> str:
        return OBJECTS[code].label

    def __iter__(self):  # noqa: ANN204
        return iter(OBJECTS)

    def __len__(self) -> int:
        return len(OBJECTS)


OBJECT_LABELS: Mapping[str, str] = _ObjectLabels()
FIELDS: dict[str, str] = {}  # field labels shared by every object type
VALUES: dict[str, Mapping[str, str]] = {}  # value labels shared by every object type, per field


def register(*, actions: Mapping[str, str] | None = None, objects: Mapping[str, ObjectType] | None = None,
             fields: Mapping[str, str] | None = None, values: Mapping[str, Mapping[str, str]] | None = None) -> None:
    ACTIONS.update(actions or {})
    for code, o in (objects or {}).items():
        if code in OBJECTS and OBJECTS[code] is not o:
            mine = OBJECTS[code]
            mine.fields.update(o.fields)
            mine.values.update(o.values)
            mine.names = o.names or mine.names
        else:
            OBJECTS[code] = o
    FIELDS.update(fields or {})
    VALUES.update(values or {})


def sql_names(query: str, *, text_ids: bool = False) -> Names:
    """A name lookup from one SQL query taking `$1::bigint[]` (or `$1::text[]`) and returning (id, name)."""
    async def lookup(ids: list[str]) -> dict[str, str]:
        keys: list = sorted(set(ids)) if text_ids else sorted({int(i) for i in ids if i.isdigit() and len(i) < 19})
        if not keys:
            return {}
        _, rows = await conn().execute_query(query, [keys])
        return {str(r["id"]): r["name"] for r in rows if r["name"]}
    return lookup


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def _value(kind: ObjectType | None, key: str, v: Any) -> str:
    if v is None or v == "":
        return "（空）"
    if isinstance(v, bool):
        return "是" if v else "否"
    labels = (kind.values.get(key) if kind else None) or VALUES.get(key)
    if isinstance(v, list):
        return "、".join(_value(kind, key, x) for x in v) if v else "（空）"
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    if labels is not None and str(v) in labels:
        return labels[str(v)]
    return str(v)


def changes(object_type: str, before: dict | None, after: dict | None) -> list[dict[str, Any]]:
    """[{field, label, before, after}] in the row's field order; values already as a clerk reads them."""
    kind = OBJECTS.get(object_type)
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    out = []
    for key in dict.fromkeys([*before, *after]):
        if key in before and key in after and before[key] == after[key]:
            continue
        label = (kind.fields.get(key) if kind else None) or FIELDS.get(key) or key
        out.append({"field": key, "label": label,
                    "before": _value(kind, key, before[key]) if key in before else None,
                    "after": _value(kind, key, after[key]) if key in after else None})
    return out


async def describe(rows: list[dict]) -> list[dict]:
    """Add action_name, object_type_name, object_name, object_label and changes to serialised rows.
    Names are looked up once per object type for the whole page."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.get("object_id"):
            wanted[r["object_type"]].add(str(r["object_id"]))
    names: dict[str, dict[str, str]] = {}
    for t, ids in wanted.items():
        kind = OBJECTS.get(t)
        names[t] = await kind.names(sorted(ids)) if kind and kind.names else {}
    for r in rows:
        kind = OBJECTS.get(r["object_type"])
        type_name = kind.label if kind else r["object_type"]
        oid = str(r["object_id"]) if r.get("object_id") else None
        name = names.get(r["object_type"], {}).get(oid) if oid else None
        r["action_name"] = action_label(r["action"])
        r["object_type_name"] = type_name
        r["object_name"] = name
        r["object_label"] = f"{type_name} {name}" if name else (f"{type_name}（编号 {oid}）" if oid else type_name)
        r["changes"] = changes(r["object_type"], r.get("before"), r.get("after"))
    return rows


# ---------------------------------------------------------------- the platform's own entries

_STATUS = {"draft": "草稿", "in_review": "审核中", "returned": "已退回", "rejected": "不予通过", "complete": "已办结",
           "withdrawn": "已撤回"}

register(
    actions={
        # identity
        "auth.login": "登录", "auth.login_failed": "登录失败", "auth.lockout": "登录失败次数过多锁定",
        "auth.logout": "退出登录", "auth.login_challenge": "发送登录验证码", "auth.login_code_resend": "重发登录验证码",
        "person.register": "个人用户注册", "pii.view": "查看完整个人信息",
        "account.password_change": "修改密码", "account.password_reset": "重置密码",
        "account.phone_change": "变更手机号", "account.unlock": "解锁账号", "account.lock": "锁定账号",
        "account.second_factor": "设置二次验证", "account.enable": "启用账号", "account.disable": "停用账号",
        "account.ca_bind": "绑定CA证书", "account.ca_enable": "启用CA证书", "account.ca_disable": "停用CA证书",
        "account.ca_unbind": "解绑CA证书", "account.phone": "设置手机号",
        "account.admin_password_reset": "管理员重置密码",
        "staff.hire": "新增员工", "staff.update": "修改员工信息", "staff.leave": "员工离职", "staff.roles": "分配员工角色",
        "staff.account_open": "开通员工账号", "staff.unlock": "解锁员工账号",
        "org.update": "修改单位信息", "org.create": "新增单位", "org.main_account_roles": "分配主账号角色",
        "org.main_account_lock": "锁定单位主账号", "org.main_account_unlock": "解锁单位主账号",
        "role.create": "新增角色", "role.update": "修改角色", "role.delete": "删除角色",
        "seed.org": "初始化单位", "seed.account": "初始化账号", "seed.project": "初始化项目",
        # cases (workflow)
        "case.create": "创建业务件", "case.submit": "提交审核", "case.claim": "签收", "case.approve": "审核通过",
        "case.reject": "驳回", "case.return_previous": "退回上一步", "case.return_applicant": "退回申请人",
        "case.transfer": "转办", "case.withdraw": "撤回", "case.edit": "修改业务件", "case.comment": "填写意见",
        "case.material": "上传材料", "case.material_add": "上传材料", "case.material_remove": "删除材料",
        "case.resubmit": "重新提交", "case.delete": "删除业务件", "case.complete": "办结",
        "process.deploy": "发布流程", "form.save": "保存表单",
        # documents
        "document.issue": "出具文书", "document.certificate.issue": "出具证书", "document.revoke": "作废文书",
        "document.template.create": "新增文书模板", "document.template.save": "保存文书模板",
        "document.template.enable": "启用文书模板", "document.template.disable": "停用文书模板",
        # rules
        "rules.ruleset.create": "新增规则", "rules.ruleset.save": "保存规则", "rules.ruleset.enable": "启用规则",
        "rules.ruleset.disable": "停用规则",
        # exchange
        "exchange.enqueue": "排队发送交换报文", "exchange.apply": "处理接收报文", "exchange.receive": "接收交换报文", "exchange.reject": "拒收报文",
        "exchange.dead": "报文转入死信", "exchange.replay": "重发死信报文",
        "house_transaction.create": "接收房屋买卖合同", "house_transaction.update": "更新房屋买卖合同",
        # core
        "file.upload": "上传文件", "audit.anchor": "锚定审计日志",
    },
    objects={
        "account": ObjectType("账号", sql_names(
            "SELECT id, CASE WHEN login_name IS NOT NULL THEN name || '（' || login_name || '）' ELSE name END AS name"
            " FROM account WHERE id = ANY($1::bigint[])"),
            fields={"name": "姓名"}),
        "org": ObjectType("单位", sql_names("SELECT id, name FROM org WHERE id = ANY($1::bigint[])")),
        "role": ObjectType("角色", sql_names("SELECT id, name FROM role WHERE id = ANY($1::bigint[])"),
                           fields={"name": "角色名称", "description": "说明"}),
        "session": ObjectType("会话"), "login": ObjectType("登录"),
        "case": ObjectType("业务件", sql_names(
            'SELECT id, number AS name FROM "case" WHERE id = ANY($1::bigint[])'),
            fields={"number": "业务编号", "step": "环节", "action": "办理操作", "opinion": "意见",
                    "status": "业务状态"},
            values={"status": _STATUS, "action": {
                "create": "创建", "submit": "提交", "claim": "签收", "approve": "通过", "reject": "驳回",
                "return_previous": "退回上一步", "return_applicant": "退回申请人", "transfer": "转办",
                "withdraw": "撤回"}}),
        "process": ObjectType("流程"), "form": ObjectType("表单"),
        "document_template": ObjectType("文书模板", fields={"key": "模板编号", "version": "版本"}),
        "issued_document": ObjectType("电子文书", sql_names(
            "SELECT id, number || ' ' || title AS name FROM issued_document WHERE id::text = ANY($1::text[])",
            text_ids=True)),
        "signing_certificate": ObjectType("签章证书"),
        "rule_set": ObjectType("规则"),
        "exchange_message": ObjectType("交换报文", fields={"message_id": "报文编号", "partner": "对方系统",
                                                       "type": "报文类型", "business_no": "业务编号",
                                                       "attempts": "发送次数", "error": "错误", "reason": "原因"}),
        "house_transaction": ObjectType("房屋买卖合同", sql_names(
            "SELECT id, contract_no AS name FROM house_transaction WHERE id = ANY($1::bigint[])")),
        "file": ObjectType("文件"), "job": ObjectType("后台任务"), "audit_anchor": ObjectType("审计锚点"),
    },
    fields={
        "name": "名称", "login_name": "登录名", "org_id": "所属单位", "position": "岗位", "phone": "手机号",
        "id_number": "身份证号", "enabled": "启用", "locked": "锁定", "ca_cert_sn": "CA证书序列号",
        "ca_cert_subject": "CA证书主题", "ca_valid_to": "CA证书有效期至", "ca_enabled": "CA证书启用",
        "hired_on": "入职日期", "left_on": "离职日期", "is_org_main": "单位主账号",
        "must_change_password": "须修改密码", "second_factor": "二次验证", "permissions": "权限",
        "description": "说明", "district_code": "所属区域", "address": "地址", "state": "状态", "kind": "类型",
        "reason": "原因", "code": "编号", "year": "年度", "ids": "记录编号", "credit_code": "统一社会信用代码",
        "contact_name": "联系人", "contact_phone": "联系电话", "summary": "摘要",
    },
    values={"district_code": {CITY_CODE: "江门市", **DISTRICT_NAMES},
            "position": {"supervisor": "业务主管", "clerk": "普通业务人员"},
            "kind": {"GOV": "住建部门", "BUILDER": "建设单位", "OPERATOR": "运营单位", "PERSON": "个人用户",
                     "STAFF": "单位用户", "PARTNER": "接口账号"}},
)
