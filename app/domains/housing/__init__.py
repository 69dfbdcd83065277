"""Housing (项目房源): annual plans, projects, communities and the unit table (stock).

The housing DOMAIN below is what installs it (app/domains/__init__.py). It names the modules
housing has today; the split into sub-packages with the full file set changes only these paths.
"""
from __future__ import annotations

from app.core.domain import ALL_ORGS, BLD, GOV, OPS, Domain, Menu, Permission

DOMAIN = Domain(
    name="housing",
    models=("app.domains.housing.models",),
    blueprints=(
        "app.domains.housing.routes_stock:bp_housing_stock",
        "app.domains.housing.routes_projects:bp_housing_projects",
        "app.domains.housing.routes_projects:bp_public_projects",
    ),
    access=("app.domains.housing.access",),
    hooks=("app.domains.housing.unit_hooks", "app.domains.housing.project_hooks"),
    case_types=("unit_intake", "unit_change", "project_declaration", "project_exit", "progress_report"),
    jobs=("app.domains.housing.jobs",),
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
    kpis=("app.domains.housing.kpis",),
    audit=("app.domains.housing.audit_labels",),
)
