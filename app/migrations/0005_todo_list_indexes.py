"""Todo-list indexes, measured with 100k open items (bench/seed_cases.py).

A page of the todo list walks open items in arrival order and stops after 20 rows; the total
is an index-only count over the columns the candidate filter reads.
"""
from tortoise import migrations
from tortoise.migrations import operations as ops

OPEN_ITEM_INDEXES = """
CREATE INDEX idx_work_item_open_created ON work_item (created_at, id) WHERE status = 'open';
CREATE INDEX idx_work_item_open_cover ON work_item (role, scope, district_code, assignee_id, org_id)
    WHERE status = 'open';
"""


class Migration(migrations.Migration):
    dependencies = [('models', '0004_cases_rules_documents_messages')]

    initial = False

    operations = [
        ops.RunSQL(OPEN_ITEM_INDEXES, reverse_sql="DROP INDEX idx_work_item_open_created; "
                                             "DROP INDEX idx_work_item_open_cover;"),
    ]
