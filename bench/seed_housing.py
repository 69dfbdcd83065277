"""Fill the database with housing stock at city scale for the unit-table and unit-list benchmarks.

    PYTHONPATH=. .venv/bin/python bench/seed_housing.py

200 projects (codes BENCH-P0001…), one community each, 10 buildings per community (2,000), and
about 100,000 units: building 1栋 of 基准小区0001 has 33 floors × 12 units (the unit-table
scenario), the others 10 floors × 5. Districts, builders (builder_admin's and hs_builder_admin's
orgs), operators and states are spread the way a city's stock would be. Rows are made in SQL with
generate_series, so it takes seconds; running it again tops up to 200 projects.
"""
from __future__ import annotations

import asyncio

from app import domains  # noqa: F401 - installs the domains, so the ORM knows their models
from app.core.db import close_db, conn, init_db

PROJECTS = 200
BATCH = 25  # projects per statement (about 12,500 units)

SQL = """
WITH p AS (
  INSERT INTO project (code, name, district_code, address, builder_id, operator_id, supply_mode, unit_count, state,
                       progress_percent, investment_done_fen, published, created_at, updated_at)
  SELECT 'BENCH-P' || lpad(g::text, 4, '0'), '基准项目' || lpad(g::text, 4, '0'),
         (ARRAY['440703','440704','440705','440781','440783','440784','440785'])[1 + g % 7],
         '江门市基准路' || g || '号', ($3::bigint[])[1 + g % 2], ($4::bigint[])[1 + g % 2], 'new_build', 500,
         'recognized', 100, 0, false, now(), now()
    FROM generate_series($1::int, $2::int) AS g
  RETURNING id, code, district_code, builder_id, operator_id
), c AS (
  INSERT INTO community (name, district_code, address, project_id, builder_id, operator_id, created_at, updated_at)
  SELECT replace(code, 'BENCH-P', '基准小区'), district_code, '江门市基准路', id, builder_id, operator_id, now(), now()
    FROM p
  RETURNING id, name, project_id, district_code, builder_id, operator_id
), b AS (
  INSERT INTO building (community_id, project_id, name, floors, basement_floors, district_code, builder_id,
                        operator_id, created_at)
  SELECT c.id, c.project_id, k || '栋', CASE WHEN c.name = '基准小区0001' AND k = 1 THEN 33 ELSE 10 END, 0,
         c.district_code, c.builder_id, c.operator_id, now()
    FROM c, generate_series(1, 10) AS k
  RETURNING id, community_id, project_id, floors, district_code, builder_id, operator_id
), u AS (
  SELECT b.*, f, i, (b.id * 31 + f * 7 + i * 13) % 100 AS h
    FROM b, generate_series(1, b.floors) AS f, generate_series(1, CASE WHEN b.floors = 33 THEN 12 ELSE 5 END) AS i
)
INSERT INTO unit (building_id, community_id, project_id, district_code, builder_id, operator_id, floor, number,
                  layout, area, residential, orientation, decoration, facilities, rent_standard_fen, state,
                  lock_reason, row_version, created_at, updated_at)
SELECT id, community_id, project_id, district_code, builder_id, operator_id, f, f || lpad(i::text, 2, '0'),
       (ARRAY['一房一厅','两房一厅','两房两厅','三房两厅'])[1 + (i - 1) % 4],
       (ARRAY[45.60, 68.90, 82.30, 98.70])[1 + (i - 1) % 4], h % 20 <> 0,
       (ARRAY['南','南北','东南','西'])[1 + h % 4], (ARRAY['毛坯','简装','精装'])[1 + h % 3], '["空调"]'::jsonb,
       (ARRAY[98000, 158000, 186000, 220000])[1 + (i - 1) % 4],
       CASE WHEN h < 60 THEN 'available' WHEN h < 85 THEN 'allocated' WHEN h < 90 THEN 'locked'
            WHEN h < 95 THEN 'not_in_stock' WHEN h < 98 THEN 'repairing' ELSE 'delisted' END,
       CASE WHEN h >= 85 AND h < 90 THEN '基准测试锁定' END, 1, now(), now()
  FROM u
"""


async def main() -> None:
    await init_db()
    try:
        db = conn()
        have = (await db.execute_query_dict("SELECT count(*) AS n FROM project WHERE code LIKE 'BENCH-P%'"))[0]["n"]
        orgs = await db.execute_query_dict(
            "SELECT (SELECT org_id FROM account WHERE login_name = 'builder_admin') AS b1, "
            "(SELECT org_id FROM account WHERE login_name = 'hs_builder_admin') AS b2, "
            "(SELECT org_id FROM account WHERE login_name = 'operator_admin') AS o1, "
            "(SELECT org_id FROM account WHERE login_name = 'xh_operator_admin') AS o2")
        o = orgs[0]
        if None in o.values():
            raise SystemExit("demo accounts missing: run `python -m app.seed` first")
        for start in range(have + 1, PROJECTS + 1, BATCH):
            end = min(PROJECTS, start + BATCH - 1)
            await db.execute_query(SQL, [start, end, [o["b1"], o["b2"]], [o["o1"], o["o2"]]])
            print(f"bench projects {end}/{PROJECTS}", flush=True)
        await db.execute_script("ANALYZE project; ANALYZE community; ANALYZE building; ANALYZE unit;")
        counts = (await db.execute_query_dict(
            "SELECT (SELECT count(*) FROM project WHERE code LIKE 'BENCH-P%') AS projects, "
            "(SELECT count(*) FROM building b JOIN project p ON p.id = b.project_id WHERE p.code LIKE 'BENCH-P%') "
            "AS buildings, (SELECT count(*) FROM unit u JOIN project p ON p.id = u.project_id "
            "WHERE p.code LIKE 'BENCH-P%') AS units"))[0]
        big = await db.execute_query_dict(
            "SELECT b.id FROM building b JOIN community c ON c.id = b.community_id "
            "WHERE c.name = '基准小区0001' AND b.name = '1栋'")
        print(f"bench housing: {counts['projects']} projects, {counts['buildings']} buildings, {counts['units']} units")
        if big:
            print(f"33-floor building: id {big[0]['id']} -> GET /api/v1/housing/buildings/{big[0]['id']}/table")
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main())
