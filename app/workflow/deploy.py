"""Deployed process and form versions. Deploying an edit adds a version; running cases keep theirs."""
from __future__ import annotations

import asyncio
from dataclasses import asdict

from app.core import audit
from app.core.db import uow
from app.core.errors import InvalidInput, NotFound
from app.workflow import forms, layout
from app.workflow.case_types import CASE_TYPES, case_type
from app.workflow.engine import ProcessDefinition, default_process, load_process
from app.workflow.models import FormVersion, ProcessVersion
from app.core.context import SystemActor

# Parsed definitions by version id: a version's XML never changes, so parsing once is enough.
_PARSED: dict[int, ProcessDefinition] = {}


def steps_of(definition: ProcessDefinition) -> list[dict]:
    return [{**asdict(s), "actions": list(s.actions)} for s in definition.steps.values()]


def check_process(key: str, xml: str) -> ProcessDefinition:
    case_type(key)
    if not isinstance(xml, str) or not xml.strip():
        raise InvalidInput("流程定义不能为空", fields={"xml": "不能为空"})
    if len(xml) > 1_000_000:
        raise InvalidInput("流程定义过大（超过 1MB）", fields={"xml": "过大"})
    definition = load_process(xml)
    if definition.key != key:
        raise InvalidInput(f"流程标识应为“{key}”，文件中为“{definition.key}”", fields={"xml": "流程标识不符"})
    if "submission" not in definition.steps:
        raise InvalidInput("流程必须有标识为 submission 的提交环节", fields={"xml": "缺少提交环节"})
    return definition


async def deploy_process(key: str, xml: str, note: str | None, actor) -> ProcessVersion:  # noqa: ANN001
    if isinstance(xml, str) and 0 < len(xml) <= 1_000_000:
        xml = await asyncio.to_thread(layout.ensure_di, xml)  # a process saved without a drawing gets one
    definition = await asyncio.to_thread(check_process, key, xml)
    async with uow() as tx:
        # Serialise deploys of one key on its current active row (or nothing, for the first).
        await ProcessVersion.filter(key=key, active=True).select_for_update().using_db(tx).first()
        latest = await ProcessVersion.filter(key=key).order_by("-version").using_db(tx).first()
        if latest is not None and latest.content_hash == definition.version:
            raise InvalidInput("流程没有变化，无需发布", code="PROCESS_UNCHANGED")
        await ProcessVersion.filter(key=key, active=True).using_db(tx).update(active=False)
        pv = await ProcessVersion.create(
            key=key, version=(latest.version if latest else 0) + 1, name=definition.name, content_hash=definition.version,
            xml=definition.xml, steps=steps_of(definition), active=True, note=note,
            deployed_by_id=getattr(actor, "account_id", None), deployed_by_name=getattr(actor, "name", None),
            using_db=tx)
        await audit.record("process.deploy", "process", f"{key}:v{pv.version}", using=tx, only_changes=False,
                           after={"key": key, "version": pv.version, "hash": pv.content_hash, "note": note},
                           summary=f"发布流程 {definition.name} 第{pv.version}版")
    _PARSED[pv.id] = definition
    return pv


async def active_process(key: str, using=None) -> ProcessVersion:  # noqa: ANN001
    qs = ProcessVersion.filter(key=key, active=True)
    pv = await (qs.using_db(using) if using else qs).first()
    if pv is None:
        raise NotFound(f"业务类型“{case_type(key).name}”尚未发布流程")
    return pv


def definition_of(pv: ProcessVersion) -> ProcessDefinition:
    d = _PARSED.get(pv.id)
    if d is None:
        d = _PARSED[pv.id] = load_process(pv.xml)
    return d


async def save_form(case_type_key: str, rules: list, options: dict | None, field_perms: dict | None,
                    note: str | None, actor) -> FormVersion:  # noqa: ANN001
    case_type(case_type_key)
    forms.check_rules(rules)
    pv = await active_process(case_type_key)
    forms.check_field_perms(field_perms or {}, rules, [s["step_id"] for s in pv.steps])
    async with uow() as tx:
        await FormVersion.filter(case_type=case_type_key, active=True).select_for_update().using_db(tx).first()
        latest = await FormVersion.filter(case_type=case_type_key).order_by("-version").using_db(tx).first()
        await FormVersion.filter(case_type=case_type_key, active=True).using_db(tx).update(active=False)
        fv = await FormVersion.create(
            case_type=case_type_key, version=(latest.version if latest else 0) + 1, rules=rules,
            options=options or {}, field_perms=field_perms or {}, active=True, note=note,
            created_by_id=getattr(actor, "account_id", None), created_by_name=getattr(actor, "name", None),
            using_db=tx)
        await audit.record("form.save", "form", f"{case_type_key}:v{fv.version}", using=tx, only_changes=False,
                           after={"case_type": case_type_key, "version": fv.version, "note": note,
                                  "fields": [r["field"] for r in forms.fields_of(rules)]},
                           summary=f"发布表单 {case_type(case_type_key).name} 第{fv.version}版")
    return fv


async def active_form(key: str, using=None) -> FormVersion | None:  # noqa: ANN001
    qs = FormVersion.filter(case_type=key, active=True)
    return await (qs.using_db(using) if using else qs).first()


async def seed_defaults() -> None:
    """Deploy the shipped processes and forms (idempotent).

    A case type with none gets the shipped default. One still on a version the system deployed
    (no person deployed it) gets the shipped default again when that has changed with an upgrade;
    anything an administrator deployed is left alone.
    """
    actor = SystemActor()
    for key in CASE_TYPES:
        pv = await ProcessVersion.filter(key=key, active=True).first()
        shipped = default_process(key)
        if pv is None or (pv.deployed_by_id is None and pv.content_hash != shipped.version):
            await deploy_process(key, shipped.xml, "系统默认流程", actor)
    for key, rules in forms.DEFAULT_FORMS.items():
        fv = await FormVersion.filter(case_type=key, active=True).first()
        if fv is None or (fv.created_by_id is None and fv.rules != rules):
            await save_form(key, rules, {"form": {"labelWidth": "140px"}}, {}, "系统默认表单", actor)
