"""Data scope: one mechanism for every read and every write, failing closed.

Each scoped model registers one filter per scope. A query goes through `scoped()`;
a write loads its row through `get_scoped(..., for_update=True)` and, after changing
it, proves with `ensure_in_scope()` that the row is still the actor's to hold, so a
write can neither reach nor move data outside the caller's scope.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.core.errors import Forbidden, NotFound

CITY, DISTRICT, ORG, SELF = "CITY", "DISTRICT", "ORG", "SELF"


@dataclass(frozen=True)
class Actor:
    account_id: int
    kind: str  # STAFF | PERSON | PARTNER
    name: str
    scope: str
    org_id: int | None = None
    org_name: str | None = None
    org_kind: str | None = None
    district_code: str | None = None
    position: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    must_change_password: bool = False

    def has(self, code: str) -> bool:
        return code in self.permissions


def scope_of(account_kind: str, org_kind: str | None, org_level: str | None) -> str:
    if account_kind == "PERSON":
        return SELF
    if org_kind == "GOV":
        return CITY if org_level == "city" else DISTRICT
    if org_kind in ("BUILDER", "OPERATOR"):
        return ORG
    return SELF


Rule = Callable[[Actor], Q | None]  # None = no restriction
_RULES: dict[type[Model], dict[str, Rule]] = {}


def register(model: type[Model], **rules: Rule) -> None:
    """rules keyed city / district / org / self; a scope with no rule sees nothing."""
    _RULES[model] = {k.upper().rstrip("_"): v for k, v in rules.items()}


def scoped(model: type[Model], actor: Actor) -> QuerySet:
    rules = _RULES.get(model)
    rule = rules.get(actor.scope) if rules else None
    if rule is None:
        return model.filter(pk__in=[])  # fail closed
    q = rule(actor)
    return model.all() if q is None else model.filter(q)


async def get_scoped(model: type[Model], actor: Actor, pk: object, *, for_update: bool = False,
                     using=None) -> Model:  # noqa: ANN001
    qs = scoped(model, actor).filter(pk=pk)
    if for_update:
        qs = qs.select_for_update()
    if using is not None:
        qs = qs.using_db(using)
    obj = await qs.first()
    if obj is None:
        raise NotFound()
    return obj


_PK_MARK = -7_100_000_000_000_001  # stands for the key while a scoped query is compiled
_compiled: OrderedDict = OrderedDict()


async def scoped_values_one(model: type[Model], actor: Actor, pk: int, shape: str,
                            build: Callable[[QuerySet], Any]) -> dict | None:
    """One row of `build(scoped(model, actor).filter(pk=pk))` (a `.values()` query), or None.

    For read paths taken hundreds of times a second (the unit table): the ORM builds the SQL
    once per actor and shape, later calls only swap the key. The scope rule is the same one
    `scoped()` applies; rules read only the actor, so the compiled SQL holds for that actor.
    """
    key = (model, shape, actor.account_id, actor.scope, actor.org_id, actor.org_kind, actor.district_code)
    hit = _compiled.get(key)
    if hit is None:
        q = build(scoped(model, actor).filter(pk=_PK_MARK))
        q._make_query()
        sql, params = q.query.get_parameterized_sql()
        hit = (sql, list(params), list(params).index(_PK_MARK))
        _compiled[key] = hit
        if len(_compiled) > 4096:
            _compiled.popitem(last=False)
    sql, params, at = hit
    params = params.copy()
    params[at] = pk
    rows = await connections.get("default").execute_query_dict(sql, params)
    return rows[0] if rows else None


async def ensure_in_scope(obj: Model, actor: Actor, using=None) -> None:  # noqa: ANN001
    qs = scoped(type(obj), actor).filter(pk=obj.pk)
    if using is not None:
        qs = qs.using_db(using)
    if not await qs.exists():
        raise Forbidden("超出您的数据权限范围，操作未执行")
