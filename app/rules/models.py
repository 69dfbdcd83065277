"""Stored rule sets. Each save is a new version; a decision names the version it used."""
from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class RuleSetVersion(Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(64)  # e.g. eligibility.conditions
    # None = the city's rule set; a district code = that district's own, which overrides the city's
    # for cases of that district while its latest version is enabled.
    district_code = fields.CharField(6, null=True)
    version = fields.IntField()  # counted per (key, district_code)
    name = fields.CharField(128)
    kind = fields.CharField(16)  # conditions | scoring | standard | publicity | alert (RuleSet.kind)
    definition = fields.JSONField()  # RuleSet.to_dict()
    enabled = fields.BooleanField(default=True)  # the key's enabled flag lives on its latest version
    note = fields.CharField(255, null=True)
    created_by_id = fields.BigIntField(null=True)
    created_by_name = fields.CharField(64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "rule_set_version"
        unique_together = (("key", "district_code", "version"),)  # NULLS NOT DISTINCT (migration 0009)
        indexes = (Index(fields=("key", "version")),)
