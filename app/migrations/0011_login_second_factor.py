"""Second factor at staff login: a role property and an account's own opt-in.

Existing roles that administer accounts or approve cases (app.identity.second_factor.SECOND_FACTOR_CODES)
start with the second factor on, as new ones do.
"""
from tortoise import fields, migrations
from tortoise.migrations import operations as ops

CODES = ("identity.org.manage", "identity.role.write", "identity.staff.write", "identity.account.manage",
         "identity.staff.unlock", "case.work.approve", "case.work.supervise")
UP = "UPDATE role SET second_factor = TRUE WHERE permissions::jsonb ?| ARRAY[{}]".format(
    ", ".join(f"'{c}'" for c in CODES))


class Migration(migrations.Migration):
    dependencies = [('models', '0010_work_item_duties')]

    initial = False

    operations = [
        ops.AddField(model_name='Role', name='second_factor',
                     field=fields.BooleanField(default=False, db_default=False)),
        ops.AddField(model_name='Account', name='second_factor',
                     field=fields.BooleanField(default=False, db_default=False)),
        ops.RunSQL(UP, reverse_sql="SELECT 1"),
    ]
