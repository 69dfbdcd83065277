"""Work items carry the applicant's org and the step's separation-of-duties flag.

`applicant_org_id` is copied from the case, so the todo filter can leave out the items of the
caller's own org's cases without a join: an applicant's staff never claim its review steps.
`distinct_handler` is the step's 须由不同人员办理: whoever handled an earlier step of the case may
not handle it. The todo list's covering index gains both columns (and the case id the duty check
reads), so its count stays an index-only scan.
"""
from tortoise import fields, migrations
from tortoise.migrations import operations as ops

BACKFILL = """
UPDATE work_item w SET applicant_org_id = c.applicant_org_id
  FROM "case" c WHERE c.id = w.case_id AND c.applicant_org_id IS NOT NULL;
DROP INDEX IF EXISTS idx_work_item_open_cover;
CREATE INDEX idx_work_item_open_cover ON work_item
    (role, scope, district_code, assignee_id, org_id, applicant_org_id, distinct_handler, case_id)
    WHERE status = 'open';
"""
RESTORE = """
DROP INDEX IF EXISTS idx_work_item_open_cover;
CREATE INDEX idx_work_item_open_cover ON work_item (role, scope, district_code, assignee_id, org_id)
    WHERE status = 'open';
"""


class Migration(migrations.Migration):
    dependencies = [('models', '0009_units_per_entrance_district_rules')]

    initial = False

    operations = [
        ops.AddField(model_name='WorkItem', name='applicant_org_id', field=fields.BigIntField(null=True)),
        ops.AddField(model_name='WorkItem', name='distinct_handler',
                     field=fields.BooleanField(default=False, db_default=False)),
        ops.RunSQL(BACKFILL, reverse_sql=RESTORE),
    ]
