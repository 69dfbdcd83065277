"""The permission catalogue and the menu tree derived from it.

A permission code is `domain.object.action`. Each code says which org kinds may hold it,
so a builder's role can never be given a gov-only code. A menu is visible when the user
holds its first (view) permission.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from app.core.domain import ALL_ORGS, BLD, GOV, OPS, Domain, Menu, Permission

__all__ = ["ALL_ORGS", "BLD", "GOV", "OPS", "MENUS", "Menu", "PERMISSIONS", "Permission", "install"]

# The platform's own codes. Each installed domain adds its codes after these (`install`, called by
# app.domains when it is imported), so the catalogue is these plus every installed domain's.
PERMISSIONS: dict[str, Permission] = {p.code: p for p in [
    Permission("identity.org.read", "单位查询", (GOV,)),
    Permission("identity.org.manage", "单位账号管理", (GOV,)),
    Permission("identity.role.read", "角色查询", ALL_ORGS),
    Permission("identity.role.write", "角色维护", ALL_ORGS),
    Permission("identity.staff.read", "员工查询", ALL_ORGS),
    Permission("identity.staff.write", "员工管理", ALL_ORGS),
    Permission("identity.account.read", "账号查询", (GOV,)),
    Permission("identity.account.manage", "账号管理", (GOV,)),
    Permission("identity.staff.unlock", "解锁账号（登录失败锁定、管理员锁定）", ALL_ORGS),
    Permission("audit.log.read", "审计日志查询", (GOV,)),
    Permission("exchange.message.read", "数据交换监控查询", (GOV,)),
    Permission("exchange.message.replay", "数据交换重新投递", (GOV,)),
    Permission("pii.view", "查看完整个人信息", ALL_ORGS),
    Permission("file.upload", "上传文件", ALL_ORGS),
    Permission("dashboard.kpi.read", "工作台指标", ALL_ORGS),
    Permission("case.case.read", "业务查询", ALL_ORGS),
    Permission("case.case.intake", "窗口受理", ALL_ORGS),
    Permission("case.case.edit", "业务件修改", ALL_ORGS),
    Permission("case.case.delete", "删除业务草稿", ALL_ORGS),
    Permission("case.work.handle", "办理待办（经办环节）", ALL_ORGS),
    Permission("case.work.approve", "办理待办（审核审批环节）", ALL_ORGS),
    Permission("case.work.supervise", "查看本范围全部待办、改派", ALL_ORGS),
    Permission("case.process.read", "流程与表单查看", (GOV,)),
    Permission("case.process.deploy", "流程设计与发布", (GOV,)),
    Permission("case.form.write", "表单设计与发布", (GOV,)),
    Permission("rules.ruleset.read", "规则查询", (GOV,)),
    Permission("rules.ruleset.write", "规则维护与启停", (GOV,)),
    Permission("document.template.read", "文书模板查询", (GOV,)),
    Permission("document.template.write", "文书模板维护", (GOV,)),
    Permission("document.issue", "出具电子文书", ALL_ORGS),
    Permission("document.revoke", "作废电子文书", (GOV,)),
    Permission("identity.org.self", "本单位信息", (BLD, OPS)),
]}

# The platform's menus before the domains' (the workbench and case handling) ...
_MENUS_HEAD: tuple[Menu, ...] = (
    Menu("dashboard", "工作台", "/dashboard", "HomeFilled", ("dashboard.kpi.read",)),
    Menu("work", "业务办理", icon="Tickets", children=(
        Menu("work.todo", "待办事项", "/todo", "Bell",
             ("case.work.handle", "case.work.approve", "case.work.supervise")),
        Menu("work.done", "已办事项", "/done", "CircleCheck", ("case.work.handle", "case.work.approve")),
        Menu("work.intake", "窗口受理", "/intake", "EditPen", ("case.case.intake",)),
        Menu("work.cases", "业务查询", "/cases", "Search", ("case.case.read",)),
    )),
)
# ... and after them (configuration, system administration, exchange monitoring).
_MENUS_TAIL: tuple[Menu, ...] = (
    Menu("config", "业务配置", icon="Operation", children=(
        Menu("config.processes", "流程设计", "/processes", "Share", ("case.process.read", "case.process.deploy")),
        Menu("config.forms", "表单设计", "/forms", "Memo", ("case.process.read", "case.form.write")),
        Menu("config.templates", "文书模板", "/templates", "Files",
             ("document.template.read", "document.template.write")),
        Menu("config.rules", "规则配置", "/rules", "SetUp", ("rules.ruleset.read", "rules.ruleset.write")),
    )),
    Menu("system", "系统管理", icon="Setting", children=(
        Menu("system.orgs", "单位管理", "/orgs", "OfficeBuilding",
             ("identity.org.read", "identity.org.manage")),
        Menu("system.staff", "员工管理", "/staff", "User",
             ("identity.staff.read", "identity.staff.write", "identity.staff.unlock")),
        Menu("system.roles", "角色权限", "/roles", "Lock",
             ("identity.role.read", "identity.role.write")),
        Menu("system.accounts", "账号管理", "/accounts", "Key",
             ("identity.account.read", "identity.account.manage")),
        Menu("system.audit", "审计日志", "/audit", "Document", ("audit.log.read",)),
        Menu("system.org_info", "本单位信息", "/org-info", "Postcard", ("identity.org.self",)),
    )),
    Menu("exchange.monitor", "数据交换监控", "/exchange", "Connection",
         ("exchange.message.read", "exchange.message.replay")),
)

# The menu tree: changed in place by `install`, so a module that imported it early sees the domains.
MENUS: list[Menu] = [*_MENUS_HEAD, *_MENUS_TAIL]
_CORE_CODES = frozenset(PERMISSIONS)


def install(domains: Iterable[Domain]) -> None:
    """The catalogue and the menu become the platform's own plus every installed domain's,
    domains' menus between the work menu and the configuration menu, in installation order."""
    domains = list(domains)
    for p in [p for d in domains for p in d.permissions]:
        if PERMISSIONS.get(p.code, p) != p or p.code in _CORE_CODES:
            raise ValueError(f"permission {p.code} is declared twice")
        PERMISSIONS[p.code] = p
    platform = {m.code: m for m in (*_MENUS_HEAD, *_MENUS_TAIL)}
    own: list[Menu] = []
    for m in (m for d in domains for m in d.menus):
        if m.code in platform:  # a domain's entries under a platform menu (专题工作 under 业务办理)
            platform[m.code] = replace(platform[m.code], children=(*platform[m.code].children, *m.children))
        else:
            own.append(m)
    MENUS[:] = [*(platform[m.code] for m in _MENUS_HEAD), *own, *(platform[m.code] for m in _MENUS_TAIL)]

# Codes that ride along with any staff role (no menu of their own).
_IMPLIED_FOR_ORG_KIND = {GOV: ("file.upload",), BLD: ("file.upload",), OPS: ("file.upload",)}


def grantable(kind: str) -> set[str]:
    return {c for c, p in PERMISSIONS.items() if kind in p.kinds}


def unknown_or_forbidden(codes: list[str], kind: str) -> list[str]:
    allowed = grantable(kind)
    return [c for c in codes if c not in allowed]


def effective(codes: set[str], kind: str) -> set[str]:
    return (codes & grantable(kind)) | set(_IMPLIED_FOR_ORG_KIND.get(kind, ()))


def _visible(menu: Menu, perms: set[str]) -> dict | None:
    if menu.children:
        kids = [m for m in (_visible(c, perms) for c in menu.children) if m]
        return {"code": menu.code, "title": menu.title, "path": menu.path, "icon": menu.icon,
                "children": kids} if kids else None
    if menu.permissions and menu.permissions[0] in perms:
        return {"code": menu.code, "title": menu.title, "path": menu.path, "icon": menu.icon,
                "children": []}
    return None


def menus_for(perms: set[str]) -> list[dict]:
    return [m for m in (_visible(x, perms) for x in MENUS) if m]


def _catalogue(menu: Menu, allowed: set[str]) -> dict | None:
    if menu.children:
        kids = [m for m in (_catalogue(c, allowed) for c in menu.children) if m]
        return {"code": menu.code, "title": menu.title, "path": menu.path, "permissions": [],
                "children": kids} if kids else None
    ps = [{"code": c, "title": PERMISSIONS[c].title} for c in menu.permissions if c in allowed]
    if not ps or ps[0]["code"] != menu.permissions[0]:
        return None
    return {"code": menu.code, "title": menu.title, "path": menu.path, "permissions": ps,
            "children": []}


def catalogue_for(kind: str) -> list[dict]:
    allowed = grantable(kind)
    tree = [m for m in (_catalogue(x, allowed) for x in MENUS) if m]
    # Codes with no menu of their own (e.g. seeing full PII) are still granted through roles.
    extra = sorted(allowed - all_menu_permissions() - set(_IMPLIED_FOR_ORG_KIND.get(kind, ())))
    if extra:
        tree.append({"code": "extra", "title": "数据权限", "path": "", "children": [],
                     "permissions": [{"code": c, "title": PERMISSIONS[c].title} for c in extra]})
    return tree


def all_menu_permissions() -> set[str]:
    def walk(ms):  # noqa: ANN001, ANN202
        for m in ms:
            yield from m.permissions
            yield from walk(m.children)
    return set(walk(MENUS))
