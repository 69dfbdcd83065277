"""The unit table's version stamp, and area actuals on progress reports.

`building.table_version` is bumped by statement-level triggers whenever a unit or an entrance
of the building is written, by any path (the ORM, raw SQL, a bulk import). The unit table's
cache key carries it, so a request reads one indexed row instead of aggregating the building's
units. A unit write also locks its building's row until commit; writes within one building take
turns at that point, which they already do for allocation.

Progress reports gain the areas started and completed, so plan-versus-actual compares area as
well as units and investment.
"""
from tortoise import fields, migrations
from tortoise.migrations import operations as ops

TRIGGERS = """
CREATE FUNCTION building_table_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE building SET table_version = table_version + 1
         WHERE id IN (SELECT DISTINCT building_id FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE building SET table_version = table_version + 1
         WHERE id IN (SELECT building_id FROM new_rows UNION SELECT building_id FROM old_rows);
    ELSE
        UPDATE building SET table_version = table_version + 1
         WHERE id IN (SELECT DISTINCT building_id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER unit_table_ins AFTER INSERT ON unit REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION building_table_touch();
CREATE TRIGGER unit_table_upd AFTER UPDATE ON unit REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION building_table_touch();
CREATE TRIGGER unit_table_del AFTER DELETE ON unit REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION building_table_touch();
CREATE TRIGGER entrance_table_ins AFTER INSERT ON entrance REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION building_table_touch();
CREATE TRIGGER entrance_table_upd AFTER UPDATE ON entrance REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION building_table_touch();
CREATE TRIGGER entrance_table_del AFTER DELETE ON entrance REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION building_table_touch();
"""

DROP_TRIGGERS = """
DROP TRIGGER unit_table_ins ON unit; DROP TRIGGER unit_table_upd ON unit; DROP TRIGGER unit_table_del ON unit;
DROP TRIGGER entrance_table_ins ON entrance; DROP TRIGGER entrance_table_upd ON entrance;
DROP TRIGGER entrance_table_del ON entrance; DROP FUNCTION building_table_touch();
"""


class Migration(migrations.Migration):
    dependencies = [('models', '0006_housing_register')]

    initial = False

    operations = [
        ops.AddField(model_name='Building', name='table_version', field=fields.BigIntField(default=0, db_default=0)),
        ops.RunSQL(TRIGGERS, reverse_sql=DROP_TRIGGERS),
        ops.AddField(model_name='ProjectProgress', name='area_started',
                     field=fields.DecimalField(max_digits=14, decimal_places=2, default=0, db_default=0)),
        ops.AddField(model_name='ProjectProgress', name='area_completed',
                     field=fields.DecimalField(max_digits=14, decimal_places=2, default=0, db_default=0)),
    ]
