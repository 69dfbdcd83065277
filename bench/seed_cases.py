"""Fill the database with N cases (default 100 000) for the todo-list benchmark.

    PYTHONPATH=. .venv/bin/python bench/seed_cases.py [N]

Each case has one open work item spread over the districts and steps the way a year of
Jiangmen intake would look: most waiting at a district first review (unclaimed), some
claimed by pj_clerk, some at the city's second review, and a done item for each.
Rows are made in SQL with generate_series, so 100k take seconds. Bench cases carry
`subjects.bench = true` and numbers `BENCH-…`; running again tops up to N.
"""
from __future__ import annotations

import asyncio
import json
import sys

from app import domains  # noqa: F401 - installs the domains, so the ORM knows their models
from app.core.db import close_db, conn, init_db
from app.workflow.deploy import active_process, definition_of
from app.workflow.engine import Instance

SQL = """
WITH src AS (
  SELECT g,
         (ARRAY['440703','440704','440705','440781','440783','440784','440785'])[1 + g % 7] AS district,
         (ARRAY['黄','梁','陈','李','张','吴','何','谭','周','冯'])[1 + g % 10] ||
         (ARRAY['丽','伟','芳','强','敏','静','杰','红','军','燕'])[1 + (g / 10) % 10] AS applicant,
         now() - make_interval(mins => g % 525600) AS at
  FROM generate_series($1::int, $2::int) AS g
), c AS (
  INSERT INTO "case" (number, case_type, title, status, channel, applicant_kind, applicant_name,
                      submitter_id, submitter_name, district_code, subjects, form, process_version_id,
                      instance, current_steps, current_step_names, row_version, created_at, submitted_at,
                      due_at, updated_at)
  SELECT 'BENCH-' || lpad(g::text, 8, '0'), 'eligibility_application', applicant || '的保障申请',
         'in_review', 'onsite', 'PERSON', applicant, $3, '基准测试', district, '{"bench": true}',
         '{"household_size": 3}', $4, $5::jsonb, '[{"step_id": "first_review", "name": "区住建初审"}]',
         CASE WHEN g % 10 = 0 THEN '市住建复审' ELSE '区住建初审' END, 1, at, at,
         at + interval '7 days', at
  FROM src RETURNING id, number, applicant_name, district_code, created_at
)
INSERT INTO work_item (case_id, task_id, step_id, step_name, role, scope, actions, case_type, case_number,
                       applicant_name, district_code, status, assignee_id, assignee_name, created_at,
                       due_date)
SELECT id, gen_random_uuid()::text,
       CASE WHEN id % 10 = 0 THEN 'second_review' ELSE 'first_review' END,
       CASE WHEN id % 10 = 0 THEN '市住建复审' ELSE '区住建初审' END,
       CASE WHEN id % 10 = 0 THEN 'gov_supervisor' ELSE 'gov_clerk' END,
       CASE WHEN id % 10 = 0 THEN 'CITY' ELSE 'DISTRICT' END,
       '["approve", "reject", "return_previous", "return_applicant"]', 'eligibility_application', number,
       applicant_name, district_code, 'open',
       CASE WHEN id % 7 = 3 AND district_code = '440703' THEN $6::bigint END,
       CASE WHEN id % 7 = 3 AND district_code = '440703' THEN '周敏' END,
       created_at, (created_at + interval '7 days')::date
FROM c
"""


async def main(n: int) -> None:
    await init_db()
    try:
        db = conn()
        have = (await db.execute_query_dict(
            "SELECT count(*) AS n FROM \"case\" WHERE number LIKE 'BENCH-%'"))[0]["n"]
        if have >= n:
            print(f"{have} bench cases already there")
            return
        pv = await active_process("eligibility_application")
        inst = json.dumps(Instance.start(definition_of(pv)).to_dict(), ensure_ascii=False)
        ids = await db.execute_query_dict(
            "SELECT (SELECT id FROM account WHERE login_name = 'gov_clerk') AS clerk, "
            "(SELECT id FROM account WHERE login_name = 'pj_clerk') AS pj")
        batch = 20_000
        for start in range(have + 1, n + 1, batch):
            end = min(n, start + batch - 1)
            await db.execute_query(SQL, [start, end, ids[0]["clerk"], pv.id, inst, ids[0]["pj"]])
            print(f"bench cases {end}/{n}", flush=True)
        await db.execute_script('ANALYZE "case"; ANALYZE work_item;')
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
