"""The OpenAPI document, built from the app's routes without starting a server.

sanic-ext builds its document in a `before_server_start` listener of its `openapi` blueprint
(it tags each operation with its blueprint and collects the routes); we run that one listener
on a freshly created app, then serialise the same `SpecificationBuilder` the live `/docs` uses.
Nothing connects to PostgreSQL, Redis or RabbitMQ.

`python -m app.cli openapi` prints the whole document; `--base /api/v1` prints the admin's view of
it (only the routes under the base, their paths relative to it, and the base as the server URL),
which `admin/scripts/gen-api.sh` turns into `admin/src/api/schema.d.ts`.
"""
from __future__ import annotations

import json
from typing import Any

from sanic import Sanic
from sanic_ext.extensions.openapi.builders import SpecificationBuilder


def build_spec(app: Sanic) -> dict[str, Any]:
    """The document of `app` (a fresh `create_app()`, never started)."""
    bp = app.blueprints["openapi"]
    (listener,) = [f.listener for f in bp._future_listeners if f.listener.__name__ == "build_spec"]
    app.router.finalize()
    listener(app)
    spec = SpecificationBuilder().build(app).serialize()
    return json.loads(json.dumps(spec, default=str))


def rebase(spec: dict[str, Any], base: str) -> dict[str, Any]:
    """Keep the operations under `base`, with paths relative to it and `base` as the server URL."""
    base = "/" + base.strip("/")
    out = dict(spec)
    out["paths"] = {p[len(base):] or "/": ops for p, ops in spec["paths"].items() if p.startswith(base + "/")}
    out["servers"] = [{"url": base}]
    return out


def dumps(spec: dict[str, Any]) -> str:
    """Stable text: sorted keys, so a regenerated copy differs only where the API did."""
    return json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
