"""Stored rule sets: versions, validation on save, enable/disable, trial runs and decisions.

A rule set is the city's (`district_code` None) or one district's (蓬江 440703 … 恩平 440785): a
district may set its own standard for a key the city defines. Each save appends a version row for
its (key, district); running business of a district uses that district's latest version while it
is enabled, and the city's otherwise. Every decision names the rule set, version and scope it used
(`Decision.version`, `.scope`, `.district_code`). Domains call

    version_row, decision = await service.decide("eligibility.application_condition", inputs,
                                                  district_code=case.district_code)

and store `decision.to_dict()` with their case; this module records nothing by itself.
City staff edit every rule set; district staff only their own district's (data scope on writes).
"""
from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any, Mapping

from pydantic import ValidationError

from app.core import audit
from app.core.db import conn, uow
from app.core.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound, from_validation
from app.core.regions import DISTRICT_NAMES
from app.identity.scope import CITY, DISTRICT
from app.rules import cel
from app.rules.models import RuleSetVersion
from app.rules.ruleset import KINDS, Decision, Problem, RuleSet
from app.rules.schemas import KEY_PATTERN, Definition

_KEY = re.compile(KEY_PATTERN)
_LOCK_NS = 7_100_002  # advisory lock namespace: saves of one key are serialised
_CACHE_MAX = 256


class RuleSetDisabled(AppError):
    status, code = 409, "RULESET_DISABLED"


# ---------------------------------------------------------------- problems


_INPUT_NAME = re.compile(r"输入名?“([^”]*)”")


def _field_of(p: Problem) -> str:
    """Which editor cell a problem belongs to, so the admin page can show it in place."""
    m = p.message
    if p.rule is not None:
        if p.kind != "definition":
            return "expression"
        if m.startswith("规则编码"):
            return "code"
        if m.startswith("规则名称"):
            return "title"
        if "结果类型" in m:
            return "result_type"
        if "提示" in m:
            return "failure_message"
        return "code"
    if m.startswith("规则集类型"):
        return "kind"
    if m.startswith("版本号"):
        return "version"
    if m.startswith("规则集至少"):
        return "rules"
    if found := _INPUT_NAME.match(m):
        part = "name" if m.startswith("输入名") else "sample" if "示例值" in m else "type"
        return f"inputs.{found.group(1)}.{part}"
    return "definition"


def problems_of(rs: RuleSet) -> list[dict]:
    """Every problem in the rule set as `{rule, field, message}`."""
    return [{"rule": p.rule, "field": _field_of(p), "message": p.message} for p in rs.validate()]


def _raise_problems(rs: RuleSet, problems: list[dict]) -> None:
    fields: dict[str, str] = {}
    for p in problems:
        k = f"rules.{p['rule']}.{p['field']}" if p["rule"] else p["field"]
        fields[k] = f"{fields[k]}；{p['message']}" if k in fields else p["message"]
    raise InvalidInput(f"规则集“{rs.title or rs.name}”有 {len(problems)} 处问题：{problems[0]['message']}",
                       code="RULESET_INVALID", fields=fields)


# ---------------------------------------------------------------- definitions


MAX_NESTING = 32  # lists and maps in inputs and samples; deeper data would exhaust the evaluator's stack


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, (list, tuple, dict)):
            if depth > MAX_NESTING:
                return True
            stack.extend((x, depth + 1) for x in (v.values() if isinstance(v, dict) else v))
    return False


def check_key(key: str) -> str:
    if not isinstance(key, str) or len(key) > 64 or not _KEY.match(key):
        raise InvalidInput("规则集编码应以小写字母开头，由小写字母、数字、下划线组成，可用“.”分段，最长 64 位",
                           code="RULESET_KEY", fields={"key": "格式有误"})
    return key


def build(key: str, version: int, definition: Definition | Mapping[str, Any]) -> RuleSet:
    """A RuleSet from an editor definition; the key and version always come from the server."""
    if not isinstance(definition, Definition):
        try:
            definition = Definition.model_validate(definition)
        except ValidationError as e:
            raise from_validation(e) from e
    d = definition.model_dump()
    d.update(name=key, version=version)
    deep = [i["name"] for i in d["inputs"] if _too_deep(i.get("sample"))]
    if deep:
        raise InvalidInput(f"输入“{deep[0]}”的示例值嵌套层级过深（最多 {MAX_NESTING} 层）", code="RULESET_INVALID",
                           fields={f"inputs.{n}.sample": "嵌套层级过深" for n in deep})
    return RuleSet.from_dict(d)


_cache: OrderedDict[tuple[str, str | None, int], RuleSet] = OrderedDict()


def ruleset_of(row: RuleSetVersion) -> RuleSet:
    """The stored version as a RuleSet. Versions never change, so compiled ones are kept per process."""
    k = (row.key, row.district_code, row.version)
    rs = _cache.get(k)
    if rs is None:
        rs = RuleSet.from_dict({**row.definition, "name": row.key, "version": row.version})
        _cache[k] = rs
        if len(_cache) > _CACHE_MAX:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(k)
    return rs


# ---------------------------------------------------------------- reads


def check_district(district_code: str | None) -> str | None:
    """None (the city's) or one of Jiangmen's districts and county-level cities."""
    if district_code in (None, ""):
        return None
    if district_code not in DISTRICT_NAMES:
        raise InvalidInput("所属区（市）代码有误：应为江门市的区（市）代码，如蓬江区 440703；全市规则不填",
                           code="RULESET_DISTRICT", fields={"district_code": "区划代码有误"})
    return district_code


def scope_name(district_code: str | None) -> str:
    return DISTRICT_NAMES.get(district_code or "", "全市") if district_code else "全市"


def _of(key: str, district_code: str | None) -> Any:
    return RuleSetVersion.filter(key=key, district_code=district_code) if district_code \
        else RuleSetVersion.filter(key=key, district_code__isnull=True)


async def latest(key: str, district_code: str | None = None) -> RuleSetVersion:
    district_code = check_district(district_code)
    row = await _of(key, district_code).order_by("-version").first() if _KEY.match(key or "") else None
    if row is None:
        where = f"{scope_name(district_code)}的" if district_code else ""
        raise NotFound(f"{where}规则集“{key}”不存在", code="RULESET_NOT_FOUND")
    return row


async def get_version(key: str, version: int, district_code: str | None = None) -> RuleSetVersion:
    district_code = check_district(district_code)
    row = await _of(key, district_code).filter(version=version).first() \
        if _KEY.match(key or "") and 0 < version < 2**31 else None
    if row is None:
        raise NotFound(f"{scope_name(district_code)}规则集“{key}”没有第 {version} 版", code="RULESET_NOT_FOUND")
    return row


async def active(key: str, district_code: str | None = None) -> RuleSetVersion:
    """The version new business of `district_code` uses: that district's latest while it is
    enabled, else the city's latest when the city's is enabled."""
    district_code = check_district(district_code)
    if district_code and _KEY.match(key or ""):
        own = await _of(key, district_code).order_by("-version").first()
        if own is not None and own.enabled:
            return own
    row = await latest(key)
    if not row.enabled:
        raise RuleSetDisabled(f"规则集“{row.name}”已停用，暂不能办理此项业务，请联系市住建局启用")
    return row


async def latest_ids() -> list[int]:
    """The latest version row of every rule set, the city's and each district's (one list row each)."""
    _, rows = await conn().execute_query(
        "SELECT DISTINCT ON (key, district_code) id FROM rule_set_version "
        "ORDER BY key, district_code NULLS FIRST, version DESC")
    return [r["id"] for r in rows]


# ---------------------------------------------------------------- writes


def _can_write(actor, district_code: str | None) -> None:  # noqa: ANN001
    """City staff edit every rule set; district staff only their own district's (they apply the
    city's rules and may set their district's own standard)."""
    scope = getattr(actor, "scope", CITY)
    if scope == CITY:
        return
    if scope == DISTRICT and district_code and district_code == getattr(actor, "district_code", None):
        return
    if scope == DISTRICT and district_code is None:
        raise Forbidden("全市规则由市级住房和城乡建设部门维护；区（市）级用户可以为本区设置规则（按本区另存）",
                        code="RULESET_CITY_ONLY")
    raise Forbidden("只能维护本区（市）的规则", code="RULESET_OTHER_DISTRICT")


def _object_id(key: str, district_code: str | None) -> str:
    return f"{key}@{district_code}" if district_code else key


def _summary(row: RuleSetVersion) -> dict:
    return {"key": row.key, "district_code": row.district_code, "version": row.version, "name": row.name,
            "kind": row.kind, "enabled": row.enabled, "note": row.note}


async def _append(actor, key: str, definition: Definition | Mapping[str, Any], note: str | None,  # noqa: ANN001
                  *, new: bool, district_code: str | None = None) -> RuleSetVersion:
    check_key(key)
    district_code = check_district(district_code)
    _can_write(actor, district_code)
    where = f"{scope_name(district_code)}" if district_code else ""
    async with uow() as tx:
        await tx.execute_query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [_LOCK_NS, key])
        prev = await _of(key, district_code).order_by("-version").using_db(tx).first()
        if new and prev is not None:
            raise Conflict(f"{where}规则集编码“{key}”已存在，请改用保存新版本", code="RULESET_EXISTS")
        if not new and prev is None:
            raise NotFound(f"{where}规则集“{key}”不存在", code="RULESET_NOT_FOUND")
        version = prev.version + 1 if prev else 1
        rs = build(key, version, definition)
        if problems := problems_of(rs):
            _raise_problems(rs, problems)
        if district_code:
            # A district's rule set stands in for the city's: same key, same kind, so whoever
            # decides with it gets the same shape of result.
            city = await _of(key, None).order_by("-version").using_db(tx).first()
            if city is None:
                raise InvalidInput(f"全市没有规则集“{key}”：区（市）规则须对应一个全市规则集",
                                   code="RULESET_NO_CITY", fields={"key": "全市没有该规则集"})
            if city.kind != rs.kind:
                raise InvalidInput(f"区（市）规则集的类型应与全市规则集相同（{KINDS.get(city.kind, city.kind)}）",
                                   code="RULESET_INVALID", fields={"kind": "与全市规则集类型不同"})
        row = await RuleSetVersion.create(
            key=key, district_code=district_code, version=version, name=rs.title, kind=rs.kind,
            definition=rs.to_dict(), enabled=prev.enabled if prev else True, note=note or None,
            created_by_id=getattr(actor, "account_id", None), created_by_name=getattr(actor, "name", None),
            using_db=tx)
        await audit.record(
            "rules.ruleset.create" if new else "rules.ruleset.save", "rule_set", _object_id(key, district_code),
            using=tx, actor=actor,
            summary=f"{'新建' if new else '保存'}{scope_name(district_code)}规则集“{rs.title}”第 {version} 版",
            before={**_summary(prev), "definition": prev.definition} if prev else None,
            after={**_summary(row), "definition": row.definition})
    return row


async def create(actor, key: str, definition: Definition | Mapping[str, Any],  # noqa: ANN001
                 note: str | None = None, district_code: str | None = None) -> RuleSetVersion:
    """A new rule set: version 1, enabled. Refused with every problem when the definition is invalid.
    With `district_code`, that district's own version of the city's rule set `key`."""
    return await _append(actor, key, definition, note, new=True, district_code=district_code)


async def save(actor, key: str, definition: Definition | Mapping[str, Any],  # noqa: ANN001
               note: str | None = None, district_code: str | None = None) -> RuleSetVersion:
    """A new version of an existing rule set; it keeps its enabled flag. Earlier versions stay as they were."""
    return await _append(actor, key, definition, note, new=False, district_code=district_code)


async def set_enabled(actor, key: str, enabled: bool, district_code: str | None = None) -> RuleSetVersion:  # noqa: ANN001
    """Enable or disable a rule set; the flag lives on its latest version. A disabled district
    rule set leaves that district's cases to the city's."""
    check_key(key)
    district_code = check_district(district_code)
    _can_write(actor, district_code)
    async with uow() as tx:
        await tx.execute_query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [_LOCK_NS, key])
        row = await _of(key, district_code).order_by("-version").using_db(tx).first()
        if row is None:
            raise NotFound(f"{scope_name(district_code) if district_code else ''}规则集“{key}”不存在",
                           code="RULESET_NOT_FOUND")
        if row.enabled == enabled:
            return row
        row.enabled = enabled
        await row.save(using_db=tx, update_fields=["enabled"])
        await audit.record("rules.ruleset.enable" if enabled else "rules.ruleset.disable", "rule_set",
                           _object_id(key, district_code), using=tx, actor=actor,
                           before={"enabled": not enabled, "version": row.version, "district_code": district_code},
                           after={"enabled": enabled, "version": row.version, "district_code": district_code},
                           summary=f"{'启用' if enabled else '停用'}{scope_name(district_code)}规则集“{row.name}”")
    return row


# ---------------------------------------------------------------- running


def _run(rs: RuleSet, inputs: Mapping[str, Any]) -> Decision:
    if not isinstance(inputs, Mapping):
        raise InvalidInput("规则输入应为对象（按输入名填写）", code="RULE_INPUT", fields={"inputs": "应为对象"})
    if deep := [k for k, v in inputs.items() if _too_deep(v)]:
        raise InvalidInput(f"输入“{deep[0]}”嵌套层级过深（最多 {MAX_NESTING} 层）", code="RULE_INPUT",
                           fields={f"inputs.{k}": "嵌套层级过深" for k in deep})
    try:
        return rs.run(inputs)
    except InvalidInput as e:
        # Input problems are keyed by input name, evaluation errors by rule code: say which, so the
        # admin page can show each next to the right box.
        prefix = "inputs." if e.code == "RULE_INPUT" else "rules." if isinstance(e, cel.CelError) else ""
        raise InvalidInput(e.message, code=e.code, fields={prefix + k: v for k, v in e.fields.items()}) from e


def _stamped(row: RuleSetVersion, d: Decision) -> Decision:
    """The decision says whose rule set it ran: the city's or a district's."""
    d.scope, d.district_code = ("district", row.district_code) if row.district_code else ("city", None)
    return d


async def try_run(key_or_definition: str | Definition | Mapping[str, Any], inputs: Mapping[str, Any], *,
                  version: int | None = None, key: str | None = None,
                  district_code: str | None = None) -> Decision:
    """Run a stored version of the city's or `district_code`'s rule set (the latest unless
    `version`; disabled ones too) or an unsaved draft.

    A draft is validated first and refused with every problem, as on save."""
    if isinstance(key_or_definition, str):
        k = key_or_definition
        row = await (get_version(k, version, district_code) if version else latest(k, district_code))
        return _stamped(row, _run(ruleset_of(row), inputs))
    rs = build(key or "draft", 1, key_or_definition)
    if problems := problems_of(rs):
        _raise_problems(rs, problems)
    d = _run(rs, inputs)
    d.scope, d.district_code = ("district", district_code) if district_code else ("city", None)
    return d


async def decide(key: str, inputs: Mapping[str, Any],
                 district_code: str | None = None) -> tuple[RuleSetVersion, Decision]:
    """Run the rule set a case of `district_code` uses (that district's enabled one, else the
    city's) for real business. Records nothing: the caller stores `decision.to_dict()` (it names
    the rule set, version and scope) in its own transaction."""
    row = await active(key, district_code)
    return row, _stamped(row, _run(ruleset_of(row), inputs))


def kind_name(kind: str) -> str:
    return KINDS.get(kind, kind)
