"""Housing's entries in the audit log's label map (app.core.audit_labels): its actions, its objects
named as a clerk names them (房屋 3栋2单元101, 项目 XMBH-… 滨江保障公寓) and its fields and values."""
from __future__ import annotations

from app.core.audit_labels import ObjectType, register, sql_names
from app.domains.housing.projects.models import PROJECT_STATES, SUPPLY_MODES
from app.domains.housing.stock.models import UNIT_STATES
from app.domains.housing.projects.schemas import CONSTRUCTION_STATES
from app.domains.housing.stock.rules import CHANGE_LABELS

_PROJECT_FIELDS = {"code": "项目编号", "name": "项目名称", "builder_id": "建设单位", "operator_id": "运营单位",
                   "supply_mode": "筹集方式", "land_area": "用地面积", "building_area": "建筑面积",
                   "unit_count": "套数", "total_investment_fen": "总投资（分）", "lng_bd09": "经度", "lat_bd09": "纬度",
                   "lng_wgs84": "经度（WGS-84）", "lat_wgs84": "纬度（WGS-84）", "state": "项目状态",
                   "recognition_document_id": "认定书", "qualification_from": "资格起始日",
                   "qualification_to": "资格到期日", "exited_at": "退出时间", "progress_percent": "建设进度（%）",
                   "investment_done_fen": "已完成投资（分）", "published": "已公开", "rea_project_code": "楼盘表项目编号"}

register(
    actions={
        "housing.community.create": "新增小区", "housing.community.update": "修改小区", "housing.community.delete": "删除小区",
        "housing.building.create": "新增楼栋", "housing.building.update": "修改楼栋", "housing.building.delete": "删除楼栋",
        "housing.entrance.create": "新增单元", "housing.entrance.update": "修改单元", "housing.entrance.delete": "删除单元",
        "housing.unit.intake": "房源入库", "housing.unit.change": "房源变更", "housing.unit.lock": "锁定房屋",
        "housing.unit.unlock": "解锁房屋", "housing.intake.attach": "入库申请添加房屋",
        "housing.intake.detach": "入库申请移除房屋", "housing.intake.import": "入库申请导入房屋",
        "project.update": "修改项目", "project.recognize": "认定项目", "project.publish": "公开项目",
        "project.unpublish": "撤销公开项目", "project.progress": "更新项目进度", "project.operator": "指定运营单位",
        "project.file_add": "上传项目资料", "project.file_remove": "删除项目资料", "project.exit": "项目退出",
        "plan.create": "新增年度计划", "plan.update": "修改年度计划", "plan.delete": "删除年度计划",
        "plan.project_target.create": "新增项目指标", "plan.project_target.update": "修改项目指标",
        "plan.project_target.delete": "删除项目指标", "plan.housing_target.create": "新增房屋指标",
        "plan.housing_target.update": "修改房屋指标", "plan.housing_target.delete": "删除房屋指标",
        "qualification_alert.run": "运行资格到期预警", "qualification_alert.run_requested": "请求运行资格到期预警",
    },
    objects={
        "unit": ObjectType("房屋", sql_names(
            "SELECT u.id, coalesce(b.name, '') || coalesce(e.name, '') || u.number AS name FROM unit u"
            " LEFT JOIN building b ON b.id = u.building_id LEFT JOIN entrance e ON e.id = u.entrance_id"
            " WHERE u.id = ANY($1::bigint[])"),
            fields={"state": "状态", "lock_reason": "锁定原因", "number": "房号", "floor": "楼层", **CHANGE_LABELS},
            values={"state": UNIT_STATES}),
        "project": ObjectType("项目", sql_names(
            "SELECT id, code || ' ' || name AS name FROM project WHERE id = ANY($1::bigint[])"),
            fields=_PROJECT_FIELDS,
            values={"state": PROJECT_STATES, "supply_mode": SUPPLY_MODES,
                    "construction_state": CONSTRUCTION_STATES}),
        "community": ObjectType("小区", sql_names("SELECT id, name FROM community WHERE id = ANY($1::bigint[])"),
                                fields={"name": "小区名称", "project_id": "项目", "builder_id": "建设单位",
                                        "operator_id": "运营单位", "lng_bd09": "经度", "lat_bd09": "纬度"}),
        "building": ObjectType("楼栋", sql_names(
            "SELECT b.id, c.name || ' ' || b.name AS name FROM building b JOIN community c ON c.id = b.community_id"
            " WHERE b.id = ANY($1::bigint[])"),
            fields={"name": "楼栋名称", "community_id": "小区", "floors": "地上层数", "basement_floors": "地下层数",
                    "rea_building_code": "楼盘表楼栋编号", "project_building_id": "项目楼栋", "project_id": "项目"}),
        "entrance": ObjectType("单元", sql_names(
            "SELECT e.id, b.name || e.name AS name FROM entrance e JOIN building b ON b.id = e.building_id"
            " WHERE e.id = ANY($1::bigint[])"), fields={"name": "单元名称"}),
        "annual_plan": ObjectType("年度计划", sql_names("SELECT id, name FROM annual_plan WHERE id = ANY($1::bigint[])"),
                                  fields={"name": "计划名称"}),
        "plan_project_target": ObjectType("项目指标", fields={
            "plan_id": "年度计划", "project_id": "项目", "units_start": "计划开工套数", "units_complete": "计划竣工套数",
            "area_start": "计划开工面积", "area_complete": "计划竣工面积", "start_date": "计划开工日期",
            "completion_date": "计划竣工日期", "planned_investment_fen": "计划投资（分）"}),
        "plan_housing_target": ObjectType("房屋指标", fields={
            "plan_id": "年度计划", "project_id": "项目", "layout": "户型", "planned_units": "计划套数",
            "area_per_unit": "套均面积"}),
        "project_file": ObjectType("项目资料", sql_names("SELECT id, name FROM project_file WHERE id = ANY($1::bigint[])")),
        "project_progress": ObjectType("项目进度"),
        "qualification_alert": ObjectType("资格到期预警"),
    },
)
