"""Housing projects (保租房项目): the project, its buildings, files, progress reports and
qualification alerts.

Scope columns (district_code, builder_id, operator_id) live on the project and are copied down to
the stock (housing.stock.models), so every list filters on its own table.
"""
from tortoise import fields
from tortoise.indexes import Index

from app.core.models import CreatedModel, RowModel

SUPPLY_MODES = {"new_build": "新建", "allocated": "配建", "renovated": "改建", "idle": "闲置房源盘活",
                "non_residential": "非居住存量房屋改建", "other": "其他"}
PROJECT_STATES = {"declared": "申报中", "recognized": "已认定", "exited": "已退出"}


class Project(RowModel):
    """保租房项目."""
    code = fields.CharField(32, unique=True)  # XMBH-20261126-0001
    name = fields.CharField(128, db_index=True)
    district_code = fields.CharField(6, db_index=True)
    address = fields.CharField(255)
    builder_id = fields.BigIntField(db_index=True)  # org of kind BUILDER
    operator_id = fields.BigIntField(null=True, db_index=True)  # org of kind OPERATOR serving it
    supply_mode = fields.CharField(24, db_index=True)  # SUPPLY_MODES
    land_area = fields.DecimalField(14, 2, null=True)  # ㎡
    building_area = fields.DecimalField(14, 2, null=True)  # ㎡
    unit_count = fields.IntField(default=0)  # planned units
    total_investment_fen = fields.BigIntField(null=True)
    lng_bd09 = fields.DecimalField(10, 6, null=True)
    lat_bd09 = fields.DecimalField(10, 6, null=True)
    lng_wgs84 = fields.DecimalField(10, 6, null=True)
    lat_wgs84 = fields.DecimalField(10, 6, null=True)
    state = fields.CharField(16, default="declared", db_index=True)  # PROJECT_STATES
    recognition_document_id = fields.UUIDField(null=True)  # the sealed 项目认定书
    recognized_at = fields.DatetimeField(null=True)
    qualification_from = fields.DateField(null=True)
    qualification_to = fields.DateField(null=True, db_index=True)
    exited_at = fields.DatetimeField(null=True)
    progress_percent = fields.IntField(default=0)
    investment_done_fen = fields.BigIntField(default=0)
    progress_updated_at = fields.DatetimeField(null=True)
    published = fields.BooleanField(default=False, db_index=True)
    published_at = fields.DatetimeField(null=True)
    rea_project_code = fields.CharField(32, null=True, db_index=True)  # 房地产交易系统 project code
    declaration_case_id = fields.BigIntField(null=True)
    description = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "project"


class ProjectBuilding(RowModel):
    """A building as planned/built in the project (before or beside the stock's Building)."""
    project = fields.ForeignKeyField("models.Project", related_name="buildings", on_delete=fields.CASCADE)
    name = fields.CharField(64)
    floors = fields.IntField(default=1)
    planned_units = fields.IntField(default=0)
    construction_state = fields.CharField(16, default="planned")  # planned | building | completed
    rea_building_code = fields.CharField(32, null=True)

    class Meta:
        table = "project_building"
        unique_together = (("project_id", "name"),)


class ProjectFile(CreatedModel):
    """图档: drawings, approvals and other documents of a project."""
    project = fields.ForeignKeyField("models.Project", related_name="files", on_delete=fields.CASCADE)
    file_id = fields.UUIDField()
    kind = fields.CharField(32)  # 规划图纸 | 施工图 | 批文 | 竣工验收 | 其他
    name = fields.CharField(255)
    mime = fields.CharField(128)
    uploaded_by_id = fields.BigIntField(null=True)

    class Meta:
        table = "project_file"


class ProjectProgress(CreatedModel):
    """One approved progress report (项目进度申报办结)."""
    project = fields.ForeignKeyField("models.Project", related_name="progress", on_delete=fields.CASCADE)
    period = fields.CharField(7)  # YYYY-MM
    progress_percent = fields.IntField()
    investment_done_fen = fields.BigIntField()
    units_started = fields.IntField(default=0)
    units_completed = fields.IntField(default=0)
    area_started = fields.DecimalField(14, 2, default=0, db_default=0)
    area_completed = fields.DecimalField(14, 2, default=0, db_default=0)
    note = fields.TextField(null=True)
    case_id = fields.BigIntField(null=True)

    class Meta:
        table = "project_progress"
        indexes = (Index(fields=("project_id", "period")),)


class QualificationAlert(CreatedModel):
    """项目资格到期预警 record, made by the daily job."""
    project = fields.ForeignKeyField("models.Project", related_name="alerts", on_delete=fields.CASCADE)
    kind = fields.CharField(16)  # expiring | expired | overdue
    qualification_to = fields.DateField()
    days_left = fields.IntField()
    district_code = fields.CharField(6, db_index=True)
    builder_id = fields.BigIntField(db_index=True)
    operator_id = fields.BigIntField(null=True, db_index=True)
    rule_version = fields.IntField(null=True)
    rule_district_code = fields.CharField(6, null=True)  # the rule set applied: None = the city's, else the district's
    status = fields.CharField(16, default="open")  # open | closed
    created_on = fields.DateField(db_index=True)

    class Meta:
        table = "qualification_alert"
        unique_together = (("project_id", "kind", "qualification_to"),)
