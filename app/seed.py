"""Demo data: the Jiangmen gov org tree, builders, operators, roles and demo accounts.

`python -m app.seed` — idempotent: rows that exist are left as they are.
"""
from __future__ import annotations

import asyncio
import datetime as dt

from app.core import audit
from app.core.context import SystemActor
from app.core.context import current_actor
from app.core.db import close_db, init_db, uow
from app.core.pii import blind_index
from app.documents import seed as documents_seed
from app.core.domain import import_all
from app.domains import DOMAINS
from app.domains.campaigns import seed as campaigns_seed
from app.domains.housing.plans import seed as plans_seed  # importing app.domains installs every domain
from app.domains.housing.projects import seed as projects_seed
from app.domains.housing.stock import seed as stock_seed
from app.identity import sessions
from app.identity.models import Account, Org, Role
from app.identity.passwords import hash_password
from app.identity.permissions import grantable
from app.identity.second_factor import second_factor_by_default
from app.rules import seed as rules_seed
from app.workflow import calendar, deploy
from app.workflow.demo import seed_demo

DEMO_PASSWORD = "Demo@2026"
CITY = ("江门市住房和城乡建设局", "440700", "11440700007017834X")
DISTRICTS = [
    ("江门市蓬江区住房和城乡建设局", "440703"), ("江门市江海区住房和城乡建设局", "440704"),
    ("江门市新会区住房和城乡建设局", "440705"), ("台山市住房和城乡建设局", "440781"),
    ("开平市住房和城乡建设局", "440783"), ("鹤山市住房和城乡建设局", "440784"),
    ("恩平市住房和城乡建设局", "440785"),
]
COMPANIES = [
    ("BUILDER", "江门市安居建设有限公司", "440703", "91440703MA4UJ8KX2R", "builder_admin", "张建国", "13800000011"),
    ("BUILDER", "鹤山市城建开发有限公司", "440784", "91440784MA51R2LQ0D", "hs_builder_admin", "何志强", "13800000012"),
    ("OPERATOR", "江门市保障房运营管理有限公司", "440703", "91440703MA53F6YW8N", "operator_admin", "梁慧敏",
     "13800000021"),
    ("OPERATOR", "新会区安居物业服务有限公司", "440705", "91440705MA55C1TP3K", "xh_operator_admin", "陈志伟",
     "13800000022"),
]
GOV_CLERK_PERMS = ["identity.org.read", "identity.staff.read", "identity.role.read", "dashboard.kpi.read",
                   "case.case.read", "case.case.intake", "case.case.edit", "case.case.delete", "case.work.handle",
                   "case.campaign.read", "document.issue", "housing.plan.read", "housing.project.read",
                   "housing.community.read", "housing.community.write", "housing.unit.read", "housing.unit.import",
                   "housing.alert.read"]
PERSONS = [
    ("陈明", "440703199001011239", "13800000001"),
    ("李芳", "440704198506150025", "13800000002"),
]


async def _org(kind: str, name: str, district: str, level: str, parent: Org | None = None,
               credit: str | None = None, contact: tuple[str, str] | None = None) -> Org:
    org = await Org.filter(name=name).first()
    if org:
        return org
    org = await Org.create(kind=kind, name=name, district_code=district, level=level, parent=parent,
                           credit_code=credit, contact_name=contact[0] if contact else None,
                           contact_phone=contact[1] if contact else None, address=f"广东省{name[:3]}")
    await audit.record("seed.org", "org", org.id, after={"name": name, "kind": kind}, only_changes=False)
    return org


async def _role(org: Org, name: str, perms: list[str], builtin: bool = True) -> Role:
    role = await Role.filter(org_id=org.id, name=name).first()
    if role is None:
        role = await Role.create(org=org, name=name, permissions=sorted(perms), builtin=builtin,
                                 description="系统内置角色", second_factor=second_factor_by_default(perms))
    return role


async def _grant_missing(role: Role, perms: list[str]) -> None:
    """The city 系统管理员 gets new GOV codes that later releases add (a role is otherwise left as it is)."""
    missing = sorted(set(perms) - set(role.permissions))
    if not role.builtin or not missing:
        return
    async with uow() as tx:
        before = sorted(role.permissions)
        role.permissions = sorted(set(role.permissions) | set(missing))
        await role.save(using_db=tx, update_fields=["permissions", "updated_at"])
        await audit.record("role.update", "role", role.id, using=tx, before={"permissions": before},
                           after={"permissions": role.permissions}, summary=f"内置角色补充新权限 {role.name}")
    await sessions.bump_authz()


async def _staff(login: str, name: str, org: Org, position: str, roles: list[Role], phone: str,
                 main: bool = False, pw_hash: str = "") -> Account:
    acc = await Account.filter(login_name=login).first()
    if acc:
        return acc
    async with uow() as tx:
        acc = Account(kind="STAFF", login_name=login, name=name, org_id=org.id, position=position, phone=phone,
                      password_hash=pw_hash, is_org_main=main, hired_on=dt.date(2024, 1, 2),
                      password_changed_at=dt.datetime.now(dt.timezone.utc))
        await acc.save(using_db=tx)
        await acc.roles.add(*roles, using_db=tx)
        await audit.record("seed.account", "account", acc.id, using=tx, after={"login_name": login},
                           only_changes=False)
    return acc


async def seed() -> None:
    pw = await hash_password(DEMO_PASSWORD)
    gov_all = sorted(grantable("GOV"))
    city = await _org("GOV", CITY[0], CITY[1], "city", credit=CITY[2], contact=("黄海", "13800000100"))
    dist = {}
    for name, code in DISTRICTS:
        dist[code] = await _org("GOV", name, code, "district", parent=city)
    city_admin = await _role(city, "系统管理员", gov_all)
    await _grant_missing(city_admin, gov_all)
    city_clerk = await _role(city, "业务员", GOV_CLERK_PERMS)
    await _grant_missing(city_clerk, GOV_CLERK_PERMS)
    await _staff("gov_admin", "王建华", city, "supervisor", [city_admin], "13800000101", main=True, pw_hash=pw)
    await _staff("gov_clerk", "刘晓燕", city, "clerk", [city_clerk], "13800000102", pw_hash=pw)
    # A second city approver: a step marked 须由不同人员办理 (e.g. 市住建认定 after 区住建复审) needs one.
    city_boss_role = await _role(city, "业务主管", gov_all)
    await _grant_missing(city_boss_role, gov_all)
    await _staff("gov_director", "李卫东", city, "supervisor", [city_boss_role], "13800000105", pw_hash=pw)
    pj_clerk_role = await _role(dist["440703"], "业务员", GOV_CLERK_PERMS)
    await _grant_missing(pj_clerk_role, GOV_CLERK_PERMS)
    pj_supervisor_role = await _role(dist["440703"], "业务主管", gov_all)
    await _grant_missing(pj_supervisor_role, gov_all)
    await _staff("pj_clerk", "周敏", dist["440703"], "clerk", [pj_clerk_role], "13800000103", pw_hash=pw)
    await _staff("pj_supervisor", "谭志强", dist["440703"], "supervisor", [pj_supervisor_role], "13800000104",
                 pw_hash=pw)
    for code, org in dist.items():
        if code != "440703":
            await _grant_missing(await _role(org, "业务员", GOV_CLERK_PERMS), GOV_CLERK_PERMS)
    for kind, name, district, credit, login, contact, phone in COMPANIES:
        org = await _org(kind, name, district, "org", credit=credit, contact=(contact, phone))
        admin = await _role(org, "单位管理员", sorted(grantable(kind)))
        await _grant_missing(admin, sorted(grantable(kind)))
        await _staff(login, contact, org, "supervisor", [admin], phone, main=True, pw_hash=pw)
    for name, idn, phone in PERSONS:
        if not await Account.filter(kind="PERSON", id_number_idx=blind_index(idn)).exists():
            acc = Account(kind="PERSON", name=name, id_number=idn, phone=phone, password_hash=pw,
                          password_changed_at=dt.datetime.now(dt.timezone.utc))
            await acc.save()
            await audit.record("seed.account", "account", acc.id, after={"name": name}, only_changes=False)
    await rules_seed.seed()
    await documents_seed.seed()
    await workflow_seed()
    await projects_seed.seed()


async def workflow_seed() -> None:
    await calendar.seed()
    await deploy.seed_defaults()


async def main() -> None:
    current_actor.set(SystemActor())
    await init_db()
    try:
        await audit.ensure_partitions()
        await seed()
        # The demo cases go through every domain's hooks (a campaign links them, say), as in the server.
        import_all([m for d in DOMAINS for m in d.side_effect_modules()])
        admin = await Account.get(login_name="gov_admin")
        await campaigns_seed.seed_demo(admin.id)
        await seed_demo()
        await projects_seed.seed_demo()
        await plans_seed.seed_demo()
        await stock_seed.seed_demo()
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main())
