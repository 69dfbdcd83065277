"""Housing register: annual plans, projects, communities → buildings → entrances → units (→ rooms).

Scope columns (district_code, builder_id, operator_id) are copied down the hierarchy so that
every list filters on its own table: a builder sees its projects' rows, an operator the rows
of the projects it serves, a district its district's.
"""
from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

SUPPLY_MODES = {"new_build": "新建", "allocated": "配建", "renovated": "改建", "idle": "闲置房源盘活",
                "non_residential": "非居住存量房屋改建", "other": "其他"}
PROJECT_STATES = {"declared": "申报中", "recognized": "已认定", "exited": "已退出"}
UNIT_STATES = {"not_in_stock": "未入库", "available": "可配租", "allocated": "已配租", "locked": "已锁定",
               "repairing": "维修中", "delisted": "已下架"}


class AnnualPlan(Model):
    """年度建设计划."""
    id = fields.BigIntField(primary_key=True)
    year = fields.IntField(db_index=True)
    name = fields.CharField(128)
    district_code = fields.CharField(6, null=True, db_index=True)  # None = whole city
    description = fields.TextField(null=True)
    created_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "annual_plan"
        unique_together = (("year", "name"),)


class Project(Model):
    """保租房项目."""
    id = fields.BigIntField(primary_key=True)
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


class ProjectBuilding(Model):
    """A building as planned/built in the project (before or beside the stock's Building)."""
    id = fields.BigIntField(primary_key=True)
    project = fields.ForeignKeyField("models.Project", related_name="buildings", on_delete=fields.CASCADE)
    name = fields.CharField(64)
    floors = fields.IntField(default=1)
    planned_units = fields.IntField(default=0)
    construction_state = fields.CharField(16, default="planned")  # planned | building | completed
    rea_building_code = fields.CharField(32, null=True)

    class Meta:
        table = "project_building"
        unique_together = (("project_id", "name"),)


class ProjectFile(Model):
    """图档: drawings, approvals and other documents of a project."""
    id = fields.BigIntField(primary_key=True)
    project = fields.ForeignKeyField("models.Project", related_name="files", on_delete=fields.CASCADE)
    file_id = fields.UUIDField()
    kind = fields.CharField(32)  # 规划图纸 | 施工图 | 批文 | 竣工验收 | 其他
    name = fields.CharField(255)
    mime = fields.CharField(128)
    uploaded_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "project_file"


class ProjectProgress(Model):
    """One approved progress report (项目进度申报办结)."""
    id = fields.BigIntField(primary_key=True)
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
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "project_progress"
        indexes = (Index(fields=("project_id", "period")),)


class PlanProjectTarget(Model):
    """年度计划项目指标."""
    id = fields.BigIntField(primary_key=True)
    plan = fields.ForeignKeyField("models.AnnualPlan", related_name="project_targets", on_delete=fields.RESTRICT)
    project = fields.ForeignKeyField("models.Project", related_name="plan_targets", on_delete=fields.RESTRICT)
    units_start = fields.IntField(default=0)
    units_complete = fields.IntField(default=0)
    area_start = fields.DecimalField(14, 2, default=0)
    area_complete = fields.DecimalField(14, 2, default=0)
    start_date = fields.DateField(null=True)
    completion_date = fields.DateField(null=True)
    planned_investment_fen = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "plan_project_target"
        unique_together = (("plan_id", "project_id"),)


class PlanHousingTarget(Model):
    """年度计划房屋指标: planned units per layout."""
    id = fields.BigIntField(primary_key=True)
    plan = fields.ForeignKeyField("models.AnnualPlan", related_name="housing_targets", on_delete=fields.RESTRICT)
    project = fields.ForeignKeyField("models.Project", related_name="housing_targets", on_delete=fields.RESTRICT)
    layout = fields.CharField(32)  # 一室一厅 …
    planned_units = fields.IntField()
    area_per_unit = fields.DecimalField(10, 2, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "plan_housing_target"
        unique_together = (("plan_id", "project_id", "layout"),)


class Community(Model):
    """小区."""
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(128, db_index=True)
    district_code = fields.CharField(6, db_index=True)
    address = fields.CharField(255)
    project = fields.ForeignKeyField("models.Project", related_name="communities", null=True,
                                     on_delete=fields.RESTRICT)
    builder_id = fields.BigIntField(null=True, db_index=True)
    operator_id = fields.BigIntField(null=True, db_index=True)
    lng_bd09 = fields.DecimalField(10, 6, null=True)
    lat_bd09 = fields.DecimalField(10, 6, null=True)
    description = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "community"


class Building(Model):
    """楼栋 of a community, linked to its project building."""
    id = fields.BigIntField(primary_key=True)
    community = fields.ForeignKeyField("models.Community", related_name="buildings", on_delete=fields.RESTRICT)
    project_building = fields.ForeignKeyField("models.ProjectBuilding", related_name="stock_buildings", null=True,
                                              on_delete=fields.SET_NULL)
    project_id = fields.BigIntField(null=True, db_index=True)
    name = fields.CharField(64)
    floors = fields.IntField()
    basement_floors = fields.IntField(default=0)
    district_code = fields.CharField(6, db_index=True)
    builder_id = fields.BigIntField(null=True, db_index=True)
    operator_id = fields.BigIntField(null=True, db_index=True)
    rea_building_code = fields.CharField(32, null=True, db_index=True)
    # Bumped by database triggers on every unit or entrance write (migration 0007); never set it here.
    table_version = fields.BigIntField(default=0, db_default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "building"
        unique_together = (("community_id", "name"),)


class Entrance(Model):
    """单元 (stairwell) of a building."""
    id = fields.BigIntField(primary_key=True)
    building = fields.ForeignKeyField("models.Building", related_name="entrances", on_delete=fields.CASCADE)
    name = fields.CharField(32)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "entrance"
        unique_together = (("building_id", "name"),)


class Unit(Model):
    """房屋: one dwelling (or non-residential unit) of the stock."""
    id = fields.BigIntField(primary_key=True)
    building = fields.ForeignKeyField("models.Building", related_name="units", on_delete=fields.RESTRICT)
    entrance = fields.ForeignKeyField("models.Entrance", related_name="units", null=True, on_delete=fields.SET_NULL)
    community_id = fields.BigIntField(db_index=True)
    project_id = fields.BigIntField(null=True, db_index=True)
    district_code = fields.CharField(6)
    builder_id = fields.BigIntField(null=True)
    operator_id = fields.BigIntField(null=True)
    register_id = fields.CharField(28, null=True, unique=True)  # 不动产单元号
    floor = fields.IntField()
    number = fields.CharField(16)  # 房号, e.g. 1203
    layout = fields.CharField(32, null=True)  # 一室一厅
    area = fields.DecimalField(10, 2)  # 建筑面积 ㎡
    inner_area = fields.DecimalField(10, 2, null=True)
    residential = fields.BooleanField(default=True)
    orientation = fields.CharField(16, null=True)  # 南北 …
    decoration = fields.CharField(16, null=True)  # 毛坯 | 简装 | 精装
    facilities = fields.JSONField(default=list)  # ["空调", "热水器", …]
    rent_standard_fen = fields.BigIntField(null=True)  # monthly rent standard
    state = fields.CharField(16, default="not_in_stock")  # UNIT_STATES
    lock_reason = fields.CharField(255, null=True)
    locked_by_id = fields.BigIntField(null=True)
    locked_at = fields.DatetimeField(null=True)
    intake_case_id = fields.BigIntField(null=True, db_index=True)
    row_version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "unit"
        # Numbers repeat across the entrances of a building numbered per entrance (1单元101, 2单元101).
        # Migration 0009 makes this constraint NULLS NOT DISTINCT, so units without an entrance stay
        # unique per building.
        unique_together = (("building_id", "entrance_id", "number"),)
        indexes = (Index(fields=("building_id", "floor", "number")),
                   Index(fields=("building_id", "number")),
                   Index(fields=("district_code", "state", "layout")),
                   Index(fields=("community_id", "state")),
                   Index(fields=("project_id", "state")),
                   Index(fields=("builder_id", "state")),
                   Index(fields=("operator_id", "state")))


class Room(Model):
    """间: a room of a shared flat or a group lease."""
    id = fields.BigIntField(primary_key=True)
    unit = fields.ForeignKeyField("models.Unit", related_name="rooms", on_delete=fields.CASCADE)
    name = fields.CharField(32)
    area = fields.DecimalField(10, 2, null=True)
    state = fields.CharField(16, default="available")
    rent_standard_fen = fields.BigIntField(null=True)

    class Meta:
        table = "room"
        unique_together = (("unit_id", "name"),)


class UnitHistory(Model):
    """What happened to a unit: intake, change, lock/unlock, state changes."""
    id = fields.BigIntField(primary_key=True)
    unit = fields.ForeignKeyField("models.Unit", related_name="history", on_delete=fields.CASCADE)
    action = fields.CharField(32)  # intake | change | lock | unlock | state
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    reason = fields.CharField(255, null=True)
    case_id = fields.BigIntField(null=True)
    actor_id = fields.BigIntField(null=True)
    actor_name = fields.CharField(64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "unit_history"
        indexes = (Index(fields=("unit_id", "id")),)


class QualificationAlert(Model):
    """项目资格到期预警 record, made by the daily job."""
    id = fields.BigIntField(primary_key=True)
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
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "qualification_alert"
        unique_together = (("project_id", "kind", "qualification_to"),)
