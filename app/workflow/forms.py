"""Case forms: form-create rule JSON, validated on the server, with per-step field permissions.

The admin's form designer (form-create) writes `rules`; the same JSON renders in Element Plus
and in Vant. The server never trusts the browser: it checks every submitted field against
the rules of the case's form version and the step's field permissions.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from app.core.errors import InvalidInput

READ, EDIT, HIDDEN = "read", "edit", "hidden"
FIELD_TYPES = {"input", "inputNumber", "select", "radio", "checkbox", "switch", "datePicker",
               "timePicker", "rate", "slider", "cascader"}
_FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_TEXT = 5000


def fields_of(rules: list[dict]) -> list[dict]:
    """Data fields, including those nested in layout rules (row/col/card children)."""
    out: list[dict] = []

    def walk(items: list) -> None:
        for r in items or []:
            if not isinstance(r, dict):
                continue
            if r.get("field") and r.get("type") in FIELD_TYPES:
                out.append(r)
            walk(r.get("children") or [])
    walk(rules)
    return out


def _required(rule: dict) -> bool:
    return any(isinstance(v, dict) and v.get("required") for v in rule.get("validate") or []) or \
        bool((rule.get("$required")))


def check_rules(rules: Any) -> list[dict]:
    """Validate a form definition on save; every problem listed in Chinese."""
    if not isinstance(rules, list) or not rules:
        raise InvalidInput("表单至少需要一个字段", fields={"rules": "不能为空"})
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for r in fields_of(rules):
        f, title = r.get("field"), r.get("title") or r.get("field")
        if not isinstance(f, str) or not _FIELD_RE.match(f):
            problems[str(f)] = f"字段“{title}”的字段名只能用字母、数字和下划线，且以字母开头"
        elif f in seen:
            problems[f] = f"字段名“{f}”重复"
        elif f in ("action", "returned_from"):
            problems[f] = f"字段名“{f}”为流程保留字"
        seen.add(str(f))
        if r.get("type") in ("select", "radio", "checkbox") and not _options(r):
            problems[str(f)] = f"字段“{title}”需要设置选项"
    if not seen:
        problems["rules"] = "表单至少需要一个数据字段"
    if problems:
        raise InvalidInput("表单定义有误：" + "；".join(problems.values()), fields=problems)
    return rules


def check_field_perms(field_perms: Any, rules: list[dict], step_ids: list[str]) -> dict:
    if not isinstance(field_perms, dict):
        raise InvalidInput("字段权限格式有误", fields={"field_perms": "应为对象"})
    names = {r["field"] for r in fields_of(rules)}
    problems: dict[str, str] = {}
    for step, perms in field_perms.items():
        if step not in step_ids:
            problems[step] = f"流程中没有环节“{step}”"
            continue
        if not isinstance(perms, dict):
            problems[step] = "应为 字段→权限 的对象"
            continue
        for f, p in perms.items():
            if f not in names:
                problems[f"{step}.{f}"] = f"表单中没有字段“{f}”"
            elif p not in (READ, EDIT, HIDDEN):
                problems[f"{step}.{f}"] = "权限只能是 read、edit 或 hidden"
    if problems:
        raise InvalidInput("字段权限有误：" + "；".join(problems.values()), fields=problems)
    return field_perms


def perms_for(rules: list[dict], field_perms: dict, step_id: str | None, applicant_step: bool) -> dict[str, str]:
    """Each field's permission at a step. Unset: editable on applicant steps, read elsewhere."""
    default = EDIT if applicant_step else READ
    step = (field_perms or {}).get(step_id or "", {})
    return {r["field"]: step.get(r["field"], default) for r in fields_of(rules)}


def schema_for(rules: list[dict], perms: dict[str, str]) -> list[dict]:
    """The rules a viewer gets: hidden fields removed, read-only fields disabled."""
    def walk(items: list) -> list:
        out = []
        for r in items or []:
            if not isinstance(r, dict):
                out.append(r)  # text children of layout components
                continue
            f = r.get("field")
            if f and r.get("type") in FIELD_TYPES:
                p = perms.get(f, READ)
                if p == HIDDEN:
                    continue
                if p == READ:
                    r = {**r, "props": {**(r.get("props") or {}), "disabled": True}}
            if r.get("children"):
                r = {**r, "children": walk(r["children"])}
            out.append(r)
        return out
    return walk(rules)


def visible_data(data: dict, perms: dict[str, str]) -> dict:
    return {k: v for k, v in (data or {}).items() if perms.get(k, READ) != HIDDEN}


def _options(rule: dict) -> list:
    opts = rule.get("options") or (rule.get("props") or {}).get("options") or []
    return [o.get("value") if isinstance(o, dict) else o for o in opts]


def _check_value(rule: dict, v: Any) -> str | None:
    t, props = rule.get("type"), rule.get("props") or {}
    if t == "input":
        if not isinstance(v, str):
            return "应为文本"
        limit = int(props.get("maxlength") or MAX_TEXT)
        if len(v) > min(limit, MAX_TEXT):
            return f"不能超过{min(limit, MAX_TEXT)}个字"
    elif t in ("inputNumber", "rate", "slider"):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return "应为数字"
        if props.get("min") is not None and v < props["min"]:
            return f"不能小于{props['min']}"
        if props.get("max") is not None and v > props["max"]:
            return f"不能大于{props['max']}"
        if props.get("precision") == 0 and v != int(v):
            return "应为整数"
    elif t in ("select", "radio"):
        opts = _options(rule)
        if t == "select" and props.get("multiple"):
            if not isinstance(v, list) or any(x not in opts for x in v):
                return "选项不在可选范围内"
        elif v not in opts:
            return "选项不在可选范围内"
    elif t == "checkbox":
        opts = _options(rule)
        if not isinstance(v, list) or any(x not in opts for x in v):
            return "选项不在可选范围内"
    elif t == "switch":
        if not isinstance(v, bool):
            return "应为是或否"
    elif t == "datePicker":
        try:
            dt.date.fromisoformat(str(v)[:10])
        except ValueError:
            return "日期格式应为 2026-11-26"
        if not isinstance(v, str) or len(v) > 32:
            return "日期格式应为 2026-11-26"
    elif t in ("timePicker", "cascader"):
        if not isinstance(v, (str, list)) or len(str(v)) > 200:
            return "格式有误"
    for vd in rule.get("validate") or []:
        if isinstance(vd, dict) and vd.get("pattern") and isinstance(v, str):
            try:
                if not re.fullmatch(str(vd["pattern"]).strip("/"), v):
                    return vd.get("message") or "格式有误"
            except re.error:
                return None
    return None


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == []


def validate(rules: list[dict], data: Any, perms: dict[str, str], *, current: dict | None = None,
             complete: bool = True) -> dict:
    """Merge `data` into `current` for the fields this step may edit; refuse anything else.

    complete=False (a draft save) skips required checks.
    """
    if not isinstance(data, dict):
        raise InvalidInput("表单数据应为对象", fields={"form": "格式有误"})
    by_field = {r["field"]: r for r in fields_of(rules)}
    problems: dict[str, str] = {}
    merged = dict(current or {})
    for k, v in data.items():
        rule = by_field.get(k)
        if rule is None:
            problems[k] = "表单中没有该字段"
            continue
        if perms.get(k) != EDIT:
            if (current or {}).get(k) != v:
                problems[k] = f"“{rule.get('title') or k}”在当前环节不可修改"
            continue
        if _empty(v):
            merged.pop(k, None)
            continue
        err = _check_value(rule, v)
        if err:
            problems[k] = f"{rule.get('title') or k}{err}"
        else:
            merged[k] = v
    if complete:
        for f, rule in by_field.items():
            if _required(rule) and perms.get(f) == EDIT and _empty(merged.get(f)):
                problems.setdefault(f, f"请填写“{rule.get('title') or f}”")
    if problems:
        raise InvalidInput("表单填写有误：" + "；".join(problems.values()), fields=problems)
    return merged


# ------------------------------------------------------------------ default forms

def _f(field: str, title: str, type_: str = "input", required: bool = False, **props: Any) -> dict:
    rule: dict[str, Any] = {"type": type_, "field": field, "title": title}
    options = props.pop("options", None)
    if options:
        rule["options"] = [{"label": o, "value": o} for o in options]
    if type_ == "input" and "maxlength" not in props:
        props["maxlength"] = 200
    pattern = props.pop("pattern", None)
    message = props.pop("message", None)
    if props:
        rule["props"] = props
    validate_: list[dict] = []
    if required:
        validate_.append({"required": True, "message": f"请填写{title}"})
    if pattern:
        validate_.append({"pattern": pattern, "message": message or f"{title}格式有误"})
    if validate_:
        rule["validate"] = validate_
    return rule


def _text(field: str, title: str, required: bool = False) -> dict:
    return _f(field, title, "input", required, type="textarea", maxlength=1000, rows=3)


_PHONE = r"1[3-9]\d{9}"
_BUILDING_LINE = r"[ \t]*[^:：\r\n]{1,64}[:：][ \t]*\d{1,4}[ \t]*[:：][ \t]*\d{1,7}[ \t\r]*"
_BUILDINGS = rf"{_BUILDING_LINE}(\n{_BUILDING_LINE})*\s*"
_HOUSEHOLD = [_f("household_size", "家庭人口（人）", "inputNumber", True, min=1, max=20, precision=0),
              _f("monthly_income", "家庭月收入（元）", "inputNumber", True, min=0, max=10_000_000, precision=2)]

DEFAULT_FORMS: dict[str, list[dict]] = {
    "eligibility_application": _HOUSEHOLD + [
        _f("current_housing", "现住房情况", "select", True, options=["无自有住房", "租房居住", "借住", "单位宿舍", "其他"]),
        _f("work_unit", "工作单位"),
        _f("apply_district_pref", "意向区域", "select", False,
           options=["蓬江区", "江海区", "新会区", "台山市", "开平市", "鹤山市", "恩平市"]),
        _text("reason", "申请理由", True)],
    "info_change": [
        _f("change_item", "变更事项", "select", True, options=["家庭成员", "收入情况", "联系方式", "工作单位", "其他"]),
        _text("change_detail", "变更内容", True)],
    "requalification": _HOUSEHOLD + [_f("housing_changed", "住房情况是否变化", "switch"), _text("note", "情况说明")],
    "exit": [
        _f("exit_reason", "退出原因", "select", True, options=["已购买住房", "自愿退出", "迁出本市", "其他"]),
        _f("planned_move_out", "计划搬离日期", "datePicker", True, type="date", valueFormat="YYYY-MM-DD"),
        _text("note", "情况说明")],
    # What the housing hooks read (app/domains/housing/projects/rules.py); the options match SUPPLY_MODES.
    "project_declaration": [
        _f("project_name", "项目名称", required=True, maxlength=128), _f("address", "项目地址", required=True, maxlength=255),
        _f("supply_mode", "供应方式", "select", True, options=["新建", "配建", "改建", "闲置房源盘活", "非居住存量房屋改建", "其他"]),
        _f("land_area", "用地面积（㎡）", "inputNumber", False, min=0, max=100_000_000, precision=2),
        _f("building_area", "建筑面积（㎡）", "inputNumber", True, min=0, max=100_000_000, precision=2),
        _f("planned_units", "计划套数", "inputNumber", True, min=1, max=1_000_000, precision=0),
        _f("investment", "总投资（元）", "inputNumber", True, min=0, max=1_000_000_000_000, precision=2),
        _f("lng", "经度（BD-09，地图选点）", "inputNumber", True, min=111.8, max=113.5, precision=6),
        _f("lat", "纬度（BD-09，地图选点）", "inputNumber", True, min=21.3, max=23.0, precision=6),
        _f("buildings", "楼栋（每行：楼栋名:层数:套数）", "input", True, type="textarea", maxlength=5000, rows=4,
           placeholder="1栋:33:396", pattern=_BUILDINGS, message="楼栋每行应为“楼栋名:层数:套数”，如“1栋:33:396”"),
        _f("planned_start", "计划开工日期", "datePicker", False, type="date", valueFormat="YYYY-MM-DD"),
        _f("planned_completion", "计划竣工日期", "datePicker", False, type="date", valueFormat="YYYY-MM-DD"),
        _text("note", "项目说明")],
    "project_exit": [_f("project_name", "项目名称", maxlength=128), _text("exit_reason", "退出原因", True)],
    "progress_report": [
        _f("project_name", "项目名称", maxlength=128),
        _f("period", "申报月份", required=True, maxlength=7, placeholder="2026-11", pattern=r"\d{4}-(0[1-9]|1[0-2])",
           message="申报月份应为“2026-11”的格式"),
        _f("progress_percent", "形象进度（%）", "inputNumber", True, min=0, max=100, precision=0),
        _f("investment_done", "累计完成投资（元）", "inputNumber", True, min=0, max=1_000_000_000_000, precision=2),
        _f("units_started", "累计开工套数", "inputNumber", True, min=0, max=1_000_000, precision=0),
        _f("units_completed", "累计竣工套数", "inputNumber", True, min=0, max=1_000_000, precision=0),
        _f("area_started", "累计开工面积（㎡）", "inputNumber", False, min=0, max=100_000_000, precision=2),
        _f("area_completed", "累计竣工面积（㎡）", "inputNumber", False, min=0, max=100_000_000, precision=2),
        _text("note", "进度说明")],
    # Units are attached through /api/v1/housing/intakes/{id}/…, which keeps unit_count equal to them.
    "unit_intake": [
        _f("project_name", "项目名称"), _f("community_name", "小区名称"),
        _f("unit_count", "入库套数（添加房屋后自动统计）", "inputNumber", True, min=1, max=100000, precision=0,
           disabled=True),
        _f("intake_method", "房源来源", "select", False, options=["楼盘表获取", "逐套录入", "批量导入"]),
        _text("note", "说明")],
    # subjects.unit_id names the unit; only the fields filled in change (housing/stock/hooks.py).
    "unit_change": [
        _f("unit_code", "变更房屋", required=True),
        _f("layout", "户型", maxlength=32),
        _f("area", "建筑面积（㎡）", "inputNumber", False, min=0.01, max=10000, precision=2),
        _f("orientation", "朝向", "select", options=["南", "北", "东", "西", "南北", "东西", "东南", "西南", "东北", "西北"]),
        _f("decoration", "装修", "select", options=["毛坯", "简装", "精装"]),
        _f("facilities", "配套设施", "checkbox", options=["空调", "热水器", "洗衣机", "冰箱", "床", "衣柜", "书桌", "沙发",
                                                        "燃气灶", "抽油烟机", "宽带", "电视", "窗帘", "智能门锁"]),
        _f("rent_standard", "租金标准（元/月）", "inputNumber", False, min=0, max=1000000, precision=2),
        _f("residential", "房屋用途", "select", options=["住宅", "非住宅"]),
        _f("delist", "上架状态", "select", options=["下架", "恢复上架"]),
        _text("reason", "变更原因", True)],
    "org_onboarding": [
        _f("org_name", "单位名称", required=True),
        _f("credit_code", "统一社会信用代码", required=True, pattern=r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}",
           message="统一社会信用代码应为18位"),
        _f("org_kind", "单位类型", "select", True, options=["建设单位", "运营单位"]),
        _f("contact_name", "联系人", required=True),
        _f("contact_phone", "联系电话", required=True, pattern=_PHONE, message="请输入11位手机号"),
        _f("address", "单位地址")],
    "org_info_change": [
        _f("contact_name", "联系人"),
        _f("contact_phone", "联系电话", pattern=_PHONE, message="请输入11位手机号"),
        _f("address", "单位地址"), _text("reason", "变更原因", True)],
    "unit_transfer": [
        _f("current_unit", "现租住房屋", required=True),
        _f("reason", "调整原因", "select", True, options=["家庭人口变化", "就业地点变化", "身体原因", "其他"]),
        _text("detail", "情况说明")],
    "rent_adjustment": [
        _f("unit_code", "房屋编号", required=True),
        _f("current_rent", "现月租金（元）", "inputNumber", False, min=0, precision=2),
        _f("proposed_rent", "申请月租金（元）", "inputNumber", True, min=0, precision=2),
        _text("reason", "申请原因", True)],
    "vacate": [
        _f("unit_code", "房屋编号", required=True),
        _f("planned_date", "计划腾退日期", "datePicker", True, type="date", valueFormat="YYYY-MM-DD"),
        _text("reason", "腾退原因")],
    "objection": [
        _f("subject", "异议事项", "select", True, options=["资格审核结果", "轮候排序", "配租结果", "租金核算", "其他"]),
        _text("content", "异议内容", True)],
    "complaint": [
        _f("category", "投诉类别", "select", True, options=["物业服务", "维修不及时", "转租转借", "违规使用", "其他"]),
        _f("location", "发生地点"), _text("content", "投诉内容", True)],
    "repair": [
        _f("location", "报修位置", required=True),
        _f("category", "报修类别", "select", True, options=["水电", "门窗", "墙面地面", "家电设施", "公共区域", "其他"]),
        _text("description", "问题描述", True), _f("preferred_time", "方便上门时间")],
    "credit_record": [
        _f("subject_name", "评价对象", required=True),
        _f("record_type", "评价类型", "select", True, options=["守信", "失信"]),
        _f("score_change", "信用分变动", "inputNumber", True, min=-100, max=100, precision=0),
        _text("content", "事实与依据", True)],
}
