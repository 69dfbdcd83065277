"""The sandbox app. Each outside system is one blueprint; add the next one in create_app()."""
from __future__ import annotations

import logging

from redis.asyncio import Redis
from sanic import Sanic

from . import baidu, exchange_pages, home, partners, sms
from .config import SandboxConfig


def create_app(cfg: SandboxConfig | None = None) -> Sanic:
    cfg = cfg or SandboxConfig.from_env()
    app = Sanic("arh_sandbox")
    # Stand-ins need no OpenAPI pages or CORS; keep sanic-ext out.
    app.config.AUTO_EXTEND = False
    # Serving HTTP and HTTPS from one process leaves the second server's task registered at shutdown,
    # and Sanic's drain loop (timeout -= 0.1, never exactly 0) then spins forever: Ctrl-C on
    # `make run` hung. Stand-ins hold no work worth draining.
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = 0
    app.ctx.cfg = cfg
    app.blueprint(home.bp)
    app.blueprint(sms.bp)
    app.blueprint(baidu.bp)
    app.blueprint(exchange_pages.bp)

    @app.before_server_start
    async def open_redis(app: Sanic) -> None:
        app.ctx.redis = Redis.from_url(cfg.redis_url, decode_responses=True)
        # The partner stand-ins; without a broker or keyring the HTTP stand-ins still serve.
        try:
            app.ctx.partners = await partners.connect(cfg.amqp_url, cfg.exchange_prefix, cfg.exchange_keyring,
                                                      app.ctx.redis, cfg.public_url)
        except Exception:  # noqa: BLE001
            logging.getLogger("arh.sandbox").exception("partner stand-ins not started")
            app.ctx.partners = None

    @app.after_server_stop
    async def close_redis(app: Sanic) -> None:
        if app.ctx.partners is not None:
            await app.ctx.partners.close()
        await app.ctx.redis.aclose()

    return app
