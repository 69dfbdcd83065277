"""Housing (项目房源): three sub-packages with the domain file set (app/domains/README.md).

- projects/ (保租房项目): the project, its buildings, files, progress, certificate, qualification alerts;
- plans/ (年度建设计划): annual plans and their project and housing targets; they name projects;
- stock/ (房源): communities → buildings → entrances → units, intake, unit change, unit import; they
  name projects.

Imports run plans → projects and stock → projects, never back: what a project's page, exit and
operator change need from the other two they register in projects.service from their hooks.
The housing DOMAIN below is what installs it (app/domains/__init__.py).
"""
from __future__ import annotations

from app.core.domain import ALL_ORGS, BLD, GOV, OPS, Domain, Menu, Permission

DOMAIN = Domain(
    name="housing",
    models=(
        "app.domains.housing.projects.models",
        "app.domains.housing.plans.models",
        "app.domains.housing.stock.models",
    ),
    blueprints=(
        "app.domains.housing.stock.routes:bp_housing_stock",
        "app.domains.housing.projects.routes:bp_housing_projects",
        "app.domains.housing.plans.routes:bp_housing_plans",
        "app.domains.housing.projects.routes:bp_public_projects",
    ),
    access=(
        "app.domains.housing.projects.access",
        "app.domains.housing.plans.access",
        "app.domains.housing.stock.access",
    ),
    hooks=(
        "app.domains.housing.projects.hooks",
        "app.domains.housing.plans.hooks",
        "app.domains.housing.stock.hooks",
    ),
    case_types=("unit_intake", "unit_change", "project_declaration", "project_exit", "progress_report"),
    jobs=("app.domains.housing.projects.jobs", "app.domains.housing.stock.jobs"),
    permissions=(
        Permission("housing.plan.read", "年度计划查询", (GOV,)),
        Permission("housing.plan.write", "年度计划维护", (GOV,)),
        Permission("housing.project.read", "项目查询", ALL_ORGS),
        Permission("housing.project.write", "项目信息与图档维护", (GOV, BLD)),
        Permission("housing.project.publish", "项目公开与撤销公开", (GOV,)),
        Permission("housing.community.read", "小区房源查询", ALL_ORGS),
        Permission("housing.community.write", "小区房源维护", ALL_ORGS),
        Permission("housing.unit.read", "楼盘表查询", ALL_ORGS),
        Permission("housing.unit.lock", "房屋锁定与解锁", (GOV, OPS)),
        Permission("housing.unit.import", "房源导入（楼盘表获取、批量导入）", (GOV, BLD)),
        Permission("housing.alert.read", "项目资格到期预警查询", ALL_ORGS),
    ),
    menus=(
        Menu("housing", "项目房源", icon="OfficeBuilding", children=(
            Menu("housing.plans", "年度计划", "/plans", "Calendar", ("housing.plan.read", "housing.plan.write")),
            Menu("housing.projects", "项目管理", "/projects", "House", ("housing.project.read",)),
            Menu("housing.map", "项目地图", "/projects-map", "MapLocation", ("housing.project.read",)),
            Menu("housing.communities", "小区房源", "/communities", "School",
                 ("housing.community.read", "housing.community.write")),
            Menu("housing.units", "楼盘表", "/units", "Grid", ("housing.unit.read",)),
            Menu("housing.alerts", "资格到期预警", "/qualification-alerts", "Warning", ("housing.alert.read",)),
        )),
    ),
    kpis=("app.domains.housing.stock.kpis",),
    audit=("app.domains.housing.audit",),
)
