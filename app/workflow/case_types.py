"""The case types: number prefix, who applies, who handles, the materials asked for.

A domain declares its case type here once; the process is `processes/<key>.bpmn` and the
default form is in `forms.DEFAULT_FORMS`.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import InvalidInput

PERSON, ORG = "PERSON", "ORG"
OPERATOR, BUILDER = "OPERATOR", "BUILDER"


@dataclass(frozen=True)
class CaseType:
    key: str
    name: str
    prefix: str  # business number prefix, e.g. BZSQ-20261126-0001
    applicant_kinds: tuple[str, ...]
    # the org kind that handles it (the case's org_id must be such an org), or None for gov only
    handler_org_kind: str | None = None
    material_types: tuple[str, ...] = ("其他材料",)


_ID = ("身份证明", "户口簿", "婚姻状况证明")
CASE_TYPES: dict[str, CaseType] = {t.key: t for t in [
    CaseType("eligibility_application", "保障申请", "BZSQ", (PERSON,),
             material_types=_ID + ("收入证明", "住房情况证明", "劳动合同或社保证明", "其他材料")),
    CaseType("info_change", "信息变更", "XXBG", (PERSON,), material_types=_ID + ("变更证明材料", "其他材料")),
    CaseType("requalification", "资格复核", "ZGFH", (PERSON,),
             material_types=_ID + ("收入证明", "住房情况证明", "其他材料")),
    CaseType("exit", "退出保障", "TCBZ", (PERSON,), material_types=("身份证明", "退出原因证明", "其他材料")),
    CaseType("project_declaration", "项目申报", "XMSB", (ORG,),
             material_types=("项目立项文件", "用地规划许可", "建设工程规划许可", "施工许可", "其他材料")),
    CaseType("project_exit", "项目退出", "XMTC", (ORG,), material_types=("退出申请书", "其他材料")),
    CaseType("progress_report", "项目进度申报", "JDSB", (ORG,), material_types=("现场照片", "进度报告", "其他材料")),
    CaseType("unit_intake", "房源入库", "FYRK", (ORG,), material_types=("房源清单", "产权或租赁证明", "其他材料")),
    CaseType("unit_change", "房源变更", "FYBG", (ORG,), material_types=("变更说明", "其他材料")),
    CaseType("org_onboarding", "单位入网", "DWRW", (ORG,),
             material_types=("营业执照", "法定代表人身份证明", "授权委托书", "其他材料")),
    CaseType("org_info_change", "单位信息变更", "DWBG", (ORG,), material_types=("变更证明材料", "其他材料")),
    CaseType("unit_transfer", "房源调整", "FYTZ", (PERSON,), OPERATOR, ("调房原因证明", "其他材料")),
    CaseType("rent_adjustment", "租金调整", "ZJTZ", (PERSON,), OPERATOR, ("收入变化证明", "其他材料")),
    CaseType("vacate", "房屋腾退", "FWTT", (PERSON,), OPERATOR, ("身份证明", "其他材料")),
    CaseType("objection", "异议", "YYSS", (PERSON,), material_types=("身份证明", "异议证明材料", "其他材料")),
    CaseType("complaint", "投诉", "TSJB", (PERSON,), material_types=("现场照片", "其他材料")),
    CaseType("repair", "维修", "WXBX", (PERSON,), OPERATOR, ("现场照片", "其他材料")),
    CaseType("credit_record", "信用评价", "XYPJ", (PERSON, ORG), material_types=("事实证明材料", "其他材料")),
]}

STATUSES = {"draft": "草稿", "in_review": "审核中", "returned": "退回补正", "rejected": "不予通过",
            "complete": "办结", "withdrawn": "已撤回"}
CHANNELS = {"onsite": "窗口受理", "online": "网上申请", "partner": "部门推送"}
EVENT_ACTIONS = {"create": "创建", "submit": "提交", "claim": "签收", "approve": "通过",
                 "return_previous": "退回上一步", "return_applicant": "退回申请人", "reject": "驳回",
                 "transfer": "转办", "withdraw": "撤回", "comment": "意见", "edit": "修改",
                 "material_add": "上传材料", "material_remove": "删除材料", "complete": "办结"}
ROLES = {"applicant": "申请人/受理人", "gov_clerk": "住建经办", "gov_supervisor": "住建审批",
         "operator_clerk": "运营经办", "operator_supervisor": "运营审批",
         "builder_clerk": "建设经办", "builder_supervisor": "建设审批"}


def case_type(key: str) -> CaseType:
    t = CASE_TYPES.get(key)
    if t is None:
        raise InvalidInput(f"业务类型“{key}”不存在", fields={"case_type": "业务类型不存在"})
    return t
