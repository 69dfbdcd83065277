"""Database wiring: tortoise config, the unit of work, and raw-SQL helpers."""
from __future__ import annotations

from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.transactions import in_transaction

from app.config import get_settings

# The platform's own model modules; each installed domain adds its own through `add_model_modules`
# when `app.domains` is imported (every process entry point imports it: server, worker, cli, seed).
MODEL_MODULES = [
    "app.core.models",
    "app.identity.models",
    "exchange.models",
    "app.workflow.models",
    "app.rules.models",
    "app.documents.models",
    "channels.messages.models",
]


def add_model_modules(modules: tuple[str, ...] | list[str]) -> None:
    """Called by app.domains for each installed domain. The list is extended in place, so a
    config built earlier (TORTOISE_ORM) sees the domains too."""
    for m in modules:
        if m not in MODEL_MODULES:
            MODEL_MODULES.append(m)


def _pg_url(url: str) -> str:
    # tortoise wants the asyncpg scheme; operators write ordinary postgres:// URLs.
    parts = urlsplit(url)
    return urlunsplit(("asyncpg",) + tuple(parts)[1:])


async def _reset(con) -> None:  # noqa: ANN001
    """Hand a connection back to the pool without asyncpg's default reset round trip.

    The default runs `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` after every
    query, a second round trip for each. We hold no session state: advisory locks are
    transaction-scoped, nothing LISTENs on pooled connections and nothing SETs outside a
    transaction. A transaction left open by a bug is still rolled back here.
    """
    if con.is_in_transaction():
        await con.execute("ROLLBACK")


def tortoise_config(database_url: str | None = None, pool_max: int | None = None,
                    lock_timeout_ms: int | None = None) -> dict:
    s = get_settings()
    default = expand_db_url(_pg_url(database_url or s.database_url))
    default["engine"] = "app.core.pg"  # asyncpg with a pool that serves waiters in order
    default["credentials"].update(minsize=1, maxsize=pool_max or s.db_pool_max, reset=_reset)
    if lock_timeout_ms:
        default["credentials"]["server_settings"] = {"lock_timeout": str(lock_timeout_ms)}
    return {
        "connections": {"default": default},
        "apps": {"models": {"models": MODEL_MODULES, "migrations": "app.migrations",
                            "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


# `tortoise` CLI entry: `tortoise -c app.domains.TORTOISE_ORM makemigrations` (that name imports
# the installed domains first, so their models are in the config)
TORTOISE_ORM = tortoise_config()


async def init_db(database_url: str | None = None, pool_max: int | None = None,
                  lock_timeout_ms: int | None = None) -> None:
    """`lock_timeout_ms` for the API only: jobs and migrations may wait for their locks."""
    # Request tasks do not inherit the listener's context, so the ORM state must be process-global.
    await Tortoise.init(config=tortoise_config(database_url, pool_max, lock_timeout_ms),
                        _enable_global_fallback=True)


async def close_db() -> None:
    await connections.close_all()


@asynccontextmanager
async def uow():
    """One use case = one transaction. Audit rows and outbox rows join it."""
    async with in_transaction("default") as conn:
        yield conn


def conn():
    return connections.get("default")
