"""An audit row's object id holds a document template's or a rule set's key with its version or
district (`<64-character key>@12`): 64 characters were too few, and the audit append failed with
the write it recorded (a 500 the schemathesis CLI run found on POST /document-templates)."""
from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0012_fictitious_template_samples')]

    initial = False

    operations = [
        ops.RunSQL("ALTER TABLE audit_log ALTER COLUMN object_id TYPE varchar(128)",
                   reverse_sql="ALTER TABLE audit_log ALTER COLUMN object_id TYPE varchar(64)"),
    ]
