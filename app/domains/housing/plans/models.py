"""Annual construction plans (年度建设计划) and their targets per project and per layout.

Relations name their targets by "models.<Name>" (one tortoise app), so this module imports no other
housing models module.
"""
from tortoise import fields

from app.core.models import CreatedModel, TimestampedModel


class AnnualPlan(TimestampedModel):
    """年度建设计划."""
    year = fields.IntField(db_index=True)
    name = fields.CharField(128)
    district_code = fields.CharField(6, null=True, db_index=True)  # None = whole city
    description = fields.TextField(null=True)
    created_by_id = fields.BigIntField(null=True)

    class Meta:
        table = "annual_plan"
        unique_together = (("year", "name"),)


class PlanProjectTarget(TimestampedModel):
    """年度计划项目指标."""
    plan = fields.ForeignKeyField("models.AnnualPlan", related_name="project_targets", on_delete=fields.RESTRICT)
    project = fields.ForeignKeyField("models.Project", related_name="plan_targets", on_delete=fields.RESTRICT)
    units_start = fields.IntField(default=0)
    units_complete = fields.IntField(default=0)
    area_start = fields.DecimalField(14, 2, default=0)
    area_complete = fields.DecimalField(14, 2, default=0)
    start_date = fields.DateField(null=True)
    completion_date = fields.DateField(null=True)
    planned_investment_fen = fields.BigIntField(default=0)

    class Meta:
        table = "plan_project_target"
        unique_together = (("plan_id", "project_id"),)


class PlanHousingTarget(CreatedModel):
    """年度计划房屋指标: planned units per layout."""
    plan = fields.ForeignKeyField("models.AnnualPlan", related_name="housing_targets", on_delete=fields.RESTRICT)
    project = fields.ForeignKeyField("models.Project", related_name="housing_targets", on_delete=fields.RESTRICT)
    layout = fields.CharField(32)  # 一室一厅 …
    planned_units = fields.IntField()
    area_per_unit = fields.DecimalField(10, 2, null=True)

    class Meta:
        table = "plan_housing_target"
        unique_together = (("plan_id", "project_id", "layout"),)
