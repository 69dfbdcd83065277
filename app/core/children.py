"""CRUD of a child row of an aggregate (a plan's project targets, its housing targets, ...).

Every write is one transaction: lock the row in the actor's data scope, let the domain check its
parent may be written, write, check the row is still in scope, audit. The domain gives what differs
(the model, the scope functions, the parent check, the row's shape, the words); `ChildRows` is the
shape they share, and `child_routes` the five thin handlers (list, create, get, update, delete).

app.core sits below identity, so the data-scope functions and the access decorators come in as
arguments (the domain passes `app.identity.scope.scoped` / `ensure_in_scope` and `perm(...)`).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.core import audit
from app.core.db import uow
from app.core.errors import NotFound
from app.core.http import body, parse, query
from app.core.lists import ListSpec, respond_list

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class ChildRows(Generic[M]):
    model: type[M]
    object_type: str                 # audit object type: "plan_project_target"
    action: str                      # audit action prefix: "plan.project_target" (+ .create/.update/.delete)
    title: str                       # in summaries: 修改{title} #12
    missing: str                     # NotFound on read: "项目指标不存在或无权查看"
    audit_fields: list[str]
    shape: Callable[[M], dict]       # the row as the API returns it (with `prefetch` loaded)
    scoped: Callable[[type[M], Any], QuerySet]                     # (model, actor) -> rows in scope
    ensure_in_scope: Callable[[M, Any], Awaitable[None]]           # (row, actor, using=tx) -> or refuse
    check_parent: Callable[[Any, M, Any], Awaitable[None]]         # (actor, row, tx): parent may be written
    prefetch: tuple[str, ...] = ()

    async def row(self, row_id: int) -> dict:
        """The row as the API returns it, read after its transaction."""
        return self.shape(await self.model.filter(id=row_id).prefetch_related(*self.prefetch).first())

    async def get(self, actor: Any, row_id: int) -> dict:
        t = await self.scoped(self.model, actor).filter(id=row_id).prefetch_related(*self.prefetch).first()
        if t is None:
            raise NotFound(self.missing)
        return self.shape(t)

    async def lock(self, actor: Any, row_id: int, tx: Any) -> M:
        """The row in scope, locked for the transaction, its parent checked."""
        t = await self.scoped(self.model, actor).filter(pk=row_id).select_for_update().using_db(tx).first()
        if t is None:
            raise NotFound()
        await self.check_parent(actor, t, tx)
        return t

    async def insert(self, actor: Any, tx: Any, summary: str, **values: Any) -> M:
        """Create inside the caller's transaction (which has locked and checked the parent)."""
        t = await self.model.create(**values, using_db=tx)
        await self.ensure_in_scope(t, actor, using=tx)
        await audit.record(f"{self.action}.create", self.object_type, t.id, using=tx, only_changes=False,
                           after=audit.snapshot(t, self.audit_fields), summary=summary[:255])
        return t

    async def change(self, actor: Any, tx: Any, t: M, values: dict[str, Any]) -> M:
        """Update a row `lock` returned, inside the same transaction."""
        before = audit.snapshot(t, self.audit_fields)
        for k, v in values.items():
            setattr(t, k, v)
        await t.save(using_db=tx)
        await self.ensure_in_scope(t, actor, using=tx)
        await audit.record(f"{self.action}.update", self.object_type, t.id, using=tx, before=before,
                           after=audit.snapshot(t, self.audit_fields), summary=f"修改{self.title} #{t.id}")
        return t

    async def update(self, actor: Any, row_id: int, values: Callable[[M, Any], Awaitable[dict[str, Any]]]) -> dict:
        """One transaction: lock, `values(row, tx)` (which may refuse), change, audit; the new row."""
        async with uow() as tx:
            t = await self.lock(actor, row_id, tx)
            await self.change(actor, tx, t, await values(t, tx))
        return await self.row(t.id)

    async def delete(self, actor: Any, row_id: int) -> None:
        async with uow() as tx:
            t = await self.lock(actor, row_id, tx)
            await audit.record(f"{self.action}.delete", self.object_type, t.id, using=tx, only_changes=False,
                               before=audit.snapshot(t, self.audit_fields), summary=f"删除{self.title} #{t.id}")
            await t.delete(using_db=tx)


def child_routes(bp: Blueprint, path: str, rows: ChildRows, spec: ListSpec, *,
                 name: str, what: str, list_summary: str, create_in: type[BaseModel], update_in: type[BaseModel],
                 create: Callable[[Any, Any], Awaitable[dict]], update: Callable[[Any, int, Any], Awaitable[dict]],
                 actor_of: Callable[[Request], Any], read: Callable, write: Callable, key: str = "row_id") -> None:
    """GET/POST `path`, GET/PUT/DELETE `path/<key>` on `bp`, named `{name}_list` ... `{name}_delete`.

    `create(actor, data)` and `update(actor, row_id, data)` are the domain's use cases (create locks
    and checks the parent; update is usually `rows.update` with the domain's own checks); get and
    delete are `rows.get` / `rows.delete`; `read` / `write` are the access decorators (`perm(...)`)."""

    @openapi.summary(list_summary)
    @query(spec.openapi_params())
    @read
    async def list_(request: Request):
        return await respond_list(request, rows.scoped(rows.model, actor_of(request)), spec)

    @openapi.summary(f"新增{what}")
    @body(create_in)
    @write
    async def create_(request: Request):
        return json(await create(actor_of(request), parse(request, create_in)), status=201)

    @openapi.summary(f"{what}详情")
    @read
    async def get_(request: Request, **path: int):
        return json(await rows.get(actor_of(request), path[key]))

    @openapi.summary(f"修改{what}")
    @body(update_in)
    @write
    async def update_(request: Request, **path: int):
        return json(await update(actor_of(request), path[key], parse(request, update_in)))

    @openapi.summary(f"删除{what}")
    @write
    async def delete_(request: Request, **path: int):
        await rows.delete(actor_of(request), path[key])
        return json({"ok": True})

    one = f"{path}/<{key}:int>"
    bp.add_route(list_, path, methods=["GET"], name=f"{name}_list")
    bp.add_route(create_, path, methods=["POST"], name=f"{name}_create")
    bp.add_route(get_, one, methods=["GET"], name=f"{name}_get")
    bp.add_route(update_, one, methods=["PUT"], name=f"{name}_update")
    bp.add_route(delete_, one, methods=["DELETE"], name=f"{name}_delete")
