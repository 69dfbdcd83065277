"""The campaign (专题工作). Cases point at it by `case.campaign_id` (a plain column, no foreign key)."""
from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Campaign(Model):
    """专题工作: cases of its types accepted inside its window (and district) are linked to it."""
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(128)
    case_types = fields.JSONField(default=list)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    district_code = fields.CharField(6, null=True, db_index=True)  # None = whole city
    description = fields.TextField(null=True)
    enabled = fields.BooleanField(default=True)
    created_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "campaign"
        indexes = (Index(fields=("starts_at", "ends_at")),)
