"""Document templates' sample data named a demo person (陈明, with the ID number of a demo account)
in plain JSON. Every stored version now uses the fictitious sample person of app/documents/seed.py:
a well-formed number that no account holds (issue 10 §3)."""
from tortoise import migrations
from tortoise.migrations import operations as ops

OLD_ID, NEW_ID = "440703199001011239", "440703200001010004"

UP = f"""
UPDATE document_template
   SET sample = replace(replace(sample::text, '{OLD_ID}', '{NEW_ID}'), '"陈明"', '"示例申请人"')::jsonb
 WHERE sample::text LIKE '%{OLD_ID}%';
"""


class Migration(migrations.Migration):
    dependencies = [('models', '0011_login_second_factor')]

    initial = False

    operations = [
        ops.RunSQL(UP, reverse_sql="SELECT 1"),
    ]
