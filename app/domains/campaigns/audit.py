"""Audit log labels of campaigns (app.core.audit_labels), registered at start."""
from __future__ import annotations

from app.core.audit_labels import ObjectType, register, sql_names

register(
    actions={"campaign.create": "新增专题", "campaign.update": "修改专题", "campaign.delete": "删除专题"},
    objects={"campaign": ObjectType("专题", sql_names("SELECT id, name FROM campaign WHERE id = ANY($1::bigint[])"),
                                    fields={"name": "专题名称", "case_types": "业务类型", "starts_at": "开始时间",
                                            "ends_at": "结束时间", "district_code": "区（市）", "enabled": "启用"})},
)
