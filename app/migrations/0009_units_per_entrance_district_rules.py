"""Units unique per entrance; rule sets per district.

A building numbered per entrance holds 1单元101 and 2单元101, so a unit is unique on
(building, entrance, number) instead of (building, number). The constraint treats NULLs as equal
(PostgreSQL 15 NULLS NOT DISTINCT): units of a building without entrances stay unique per building.
A plain (building, number) index keeps the intake's clash lookup one index probe per row.

A rule set is the city's (district_code NULL) or one district's; versions are counted per
(key, district_code), again with NULLS NOT DISTINCT so the city's versions stay unique. A
qualification alert records whose rule set applied (rule_district_code, NULL = the city's).
"""
from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint


def _nulls_not_distinct(table: str, columns: str) -> str:
    """Re-create the unique constraint tortoise made on exactly `columns` as NULLS NOT DISTINCT,
    under the same name (tortoise derives the name, so it is looked up rather than repeated)."""
    return f"""
DO $$
DECLARE n text;
BEGIN
    SELECT conname INTO STRICT n FROM pg_constraint
     WHERE conrelid = '{table}'::regclass AND contype = 'u'
       AND pg_get_constraintdef(oid) = 'UNIQUE ({columns})';
    EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I, ADD CONSTRAINT %I UNIQUE NULLS NOT DISTINCT ({columns})',
                   n, n);
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [('models', '0008_audit_anchor')]

    initial = False

    operations = [
        ops.RemoveConstraint('Unit', fields=['building_id', 'number']),
        ops.AddConstraint('Unit', UniqueConstraint(fields=('building_id', 'entrance_id', 'number'))),
        ops.RunSQL(_nulls_not_distinct('unit', 'building_id, entrance_id, number'), reverse_sql=""),
        ops.AddIndex('Unit', Index(fields=['building_id', 'number'])),
        ops.AddField(model_name='RuleSetVersion', name='district_code', field=fields.CharField(null=True, max_length=6)),
        ops.RemoveConstraint('RuleSetVersion', fields=['key', 'version']),
        ops.AddConstraint('RuleSetVersion', UniqueConstraint(fields=('key', 'district_code', 'version'))),
        ops.RunSQL(_nulls_not_distinct('rule_set_version', 'key, district_code, version'), reverse_sql=""),
        ops.AddField(model_name='QualificationAlert', name='rule_district_code',
                     field=fields.CharField(null=True, max_length=6)),
    ]
