"""The one list route: GET a model's rows in the caller's data scope through the shared list
mechanism (filters, sort, paging, `format=xlsx`), with its declared access.

Every "list of X" endpoint was the same five lines; a domain now names its model, its ListSpec
and its access, and gets the route with the same name, path and OpenAPI parameters.
"""
from __future__ import annotations

from collections.abc import Callable

from sanic import Blueprint, Request
from sanic_ext import openapi
from tortoise.models import Model

from app.core.http import query
from app.core.lists import ListSpec, respond_list
from app.identity.guard import actor_of
from app.identity.scope import scoped


def list_route(bp: Blueprint, path: str, model: type[Model], spec: ListSpec, *, name: str, summary: str,
               access: Callable) -> None:
    """Register GET `path` on `bp` as `name`: `model`'s rows the caller may see, shaped by `spec`.
    `access` is the route's declaration (`perm(...)`, `staff`, ...)."""

    @openapi.summary(summary)
    @query(spec.openapi_params())
    @access
    async def handler(request: Request):
        return await respond_list(request, scoped(model, actor_of(request)), spec)

    handler.__name__ = handler.__qualname__ = name
    bp.add_route(handler, path, methods=["GET"], name=name)
