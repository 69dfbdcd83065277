"""The sandbox app. Each outside system is one blueprint; add the next one in create_app()."""
from __future__ import annotations

from redis.asyncio import Redis
from sanic import Sanic

from . import home, sms
from .config import SandboxConfig


def create_app(cfg: SandboxConfig | None = None) -> Sanic:
    cfg = cfg or SandboxConfig.from_env()
    app = Sanic("arh_sandbox")
    # Stand-ins need no OpenAPI pages or CORS; keep sanic-ext out.
    app.config.AUTO_EXTEND = False
    app.ctx.cfg = cfg
    app.blueprint(home.bp)
    app.blueprint(sms.bp)

    @app.before_server_start
    async def open_redis(app: Sanic) -> None:
        app.ctx.redis = Redis.from_url(cfg.redis_url, decode_responses=True)

    @app.after_server_stop
    async def close_redis(app: Sanic) -> None:
        await app.ctx.redis.aclose()

    return app
