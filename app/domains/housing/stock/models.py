"""Housing stock (房源): communities → buildings → entrances → units (→ rooms), and each unit's history.

Scope columns (district_code, builder_id, operator_id) are copied down the hierarchy so that
every list filters on its own table: a builder sees its projects' rows, an operator the rows
of the projects it serves, a district its district's.
"""
from tortoise import fields
from tortoise.indexes import Index

from app.core.models import CreatedModel, RowModel, TimestampedModel

UNIT_STATES = {"not_in_stock": "未入库", "available": "可配租", "allocated": "已配租", "locked": "已锁定",
               "repairing": "维修中", "delisted": "已下架"}


class Community(TimestampedModel):
    """小区."""
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

    class Meta:
        table = "community"


class Building(CreatedModel):
    """楼栋 of a community, linked to its project building."""
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

    class Meta:
        table = "building"
        unique_together = (("community_id", "name"),)


class Entrance(RowModel):
    """单元 (stairwell) of a building."""
    building = fields.ForeignKeyField("models.Building", related_name="entrances", on_delete=fields.CASCADE)
    name = fields.CharField(32)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "entrance"
        unique_together = (("building_id", "name"),)


class Unit(TimestampedModel):
    """房屋: one dwelling (or non-residential unit) of the stock."""
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


class Room(RowModel):
    """间: a room of a shared flat or a group lease."""
    unit = fields.ForeignKeyField("models.Unit", related_name="rooms", on_delete=fields.CASCADE)
    name = fields.CharField(32)
    area = fields.DecimalField(10, 2, null=True)
    state = fields.CharField(16, default="available")
    rent_standard_fen = fields.BigIntField(null=True)

    class Meta:
        table = "room"
        unique_together = (("unit_id", "name"),)


class UnitHistory(CreatedModel):
    """What happened to a unit: intake, change, lock/unlock, state changes."""
    unit = fields.ForeignKeyField("models.Unit", related_name="history", on_delete=fields.CASCADE)
    action = fields.CharField(32)  # intake | change | lock | unlock | state
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    reason = fields.CharField(255, null=True)
    case_id = fields.BigIntField(null=True)
    actor_id = fields.BigIntField(null=True)
    actor_name = fields.CharField(64, null=True)

    class Meta:
        table = "unit_history"
        indexes = (Index(fields=("unit_id", "id")),)
