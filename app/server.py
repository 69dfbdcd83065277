"""create_app(): config, database, Redis, blueprints, access control, errors, health and docs."""
from __future__ import annotations

import functools
import gc
import json as jsonlib
import logging
from pathlib import Path

import aio_pika
from asyncpg.exceptions import LockNotAvailableError, TransactionRollbackError
from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import file as file_response
from sanic.response import json, redirect
from sanic_ext import Extend, openapi
from tortoise.exceptions import IntegrityError

from app.api.core import bp_audit, bp_files, bp_jobs
from app.api.exchange import bp_exchange
from app.api.dicts import bp_dicts
from app.api.messages import bp_messages
from app.api.push import bp_push
from app.config import ROOT, Settings, get_settings
from app.core import audit
from app.core.cache import close_redis, redis
from app.core.csp import policy as csp_policy
from app.core.db import close_db, conn, init_db
from app.core.domain import import_all
from app.core.errors import AppError, NotFound
from app.dashboard.routes import bp_dashboard
from app.documents.routes import bp_documents, bp_documents_public, bp_verify
from app.domains import DOMAINS
from app.identity import access  # noqa: F401 - registers data-scope rules
from app.workflow import org_hooks  # noqa: F401 - registers the org info change completion hook
from app.workflow import access as _case_access  # noqa: F401 - registers case data-scope rules
from app.identity.guard import authorize, public
from app.identity.routes import bp_auth, bp_identity, bp_me, bp_public
from app.jobs import close_producer
from app.rules.routes import bp_rules
from app.workflow.routes import bp_cases, bp_my_cases
from channels.sms import build_provider
from exchange import runtime as exchange_runtime

log = logging.getLogger("arh")

_SANIC_ZH = {
    400: ("BAD_REQUEST", "请求格式有误"),
    401: ("UNAUTHORIZED", "请先登录"),
    403: ("FORBIDDEN", "无权执行此操作"),
    404: ("NOT_FOUND", "请求的地址不存在"),
    405: ("METHOD_NOT_ALLOWED", "不支持该请求方法"),
    408: ("REQUEST_TIMEOUT", "请求超时"),
    413: ("PAYLOAD_TOO_LARGE", "上传内容超过大小限制"),
    416: ("RANGE_NOT_SATISFIABLE", "请求范围无效"),
    503: ("SERVICE_UNAVAILABLE", "服务暂不可用"),
}


def _blueprints():  # noqa: ANN202
    return [bp_auth, bp_identity, bp_public, bp_me, bp_audit, bp_files, bp_jobs, bp_exchange, bp_rules,
            bp_cases, bp_my_cases, bp_messages, bp_push, bp_dashboard,
            bp_documents, bp_documents_public, bp_verify, bp_dicts,
            *(bp for d in DOMAINS for bp in d.load_blueprints())]


def create_app(settings: Settings | None = None, name: str = "arh") -> Sanic:
    s = settings or get_settings()
    s.check()
    app = Sanic(name, dumps=functools.partial(jsonlib.dumps, ensure_ascii=False, separators=(",", ":")))
    app.ctx.settings = s
    app.config.REQUEST_MAX_SIZE = (s.upload_max_mb + 1) * 1024 * 1024
    app.config.FORWARDED_SECRET = None
    app.config.OAS_URL_PREFIX = "/docs"
    app.config.OAS_UI_DEFAULT = "swagger"
    app.config.OAS_UI_REDOC = False
    app.config.OAS_PATH_TO_SWAGGER_HTML = str(ROOT / "app" / "static" / "swagger.html")
    app.config.CORS = False
    app.config.HEALTH = False
    Extend(app)
    app.ext.openapi.describe("江门市保障性租赁住房管理平台 API", version="1.0.0",
                             description="所有接口使用 `Authorization: Bearer <token>`；错误格式为 "
                                         "`{\"error\": {\"code\", \"message\", \"fields\"}}`。")
    app.ext.openapi.add_security_scheme("bearer", "http", scheme="bearer")
    app.ext.openapi.secured("bearer")

    # Each installed domain's scope rules, case hooks and KPI cards register when imported.
    import_all([m for d in DOMAINS for m in d.side_effect_modules()])
    for bp in _blueprints():
        app.blueprint(bp)

    @app.before_server_start
    async def _start(app: Sanic) -> None:
        await init_db(lock_timeout_ms=s.db_lock_timeout_ms)
        app.ctx.sms = build_provider(s)
        try:
            await audit.ensure_partitions()
        except Exception:  # noqa: BLE001 - another worker made them at the same moment
            log.info("audit partitions already being created by another worker")

    @app.after_server_start
    async def _freeze_heap(app: Sanic) -> None:
        # The modules loaded at start (WeasyPrint, pyHanko, SpiffWorkflow, the ORM) leave many
        # long-lived objects; frozen, the collector's full passes walk only what requests allocate.
        gc.collect()
        gc.freeze()

    @app.after_server_stop
    async def _stop(app: Sanic) -> None:
        await app.ctx.sms.aclose()
        await close_producer()
        await exchange_runtime.close()
        await close_redis()
        await close_db()

    @app.on_request
    async def _authorize(request: Request) -> None:
        route = request.route
        if route is not None and (route.extra.static or route.name.startswith(f"{app.name}.openapi.")):
            return
        await authorize(request)
        # `<id:int>` matches any digits; an ID beyond bigint names no row (and would break the driver).
        if any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in request.match_info.values()):
            raise NotFound()

    @app.on_response
    async def _headers(request: Request, response) -> None:  # noqa: ANN001
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        elif (response.content_type or "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy",
                                        csp_policy(request.host, baidu_map=bool(s.vite_baidu_map_ak.strip())))

    @app.exception(AppError)
    async def _app_error(request: Request, e: AppError):  # noqa: ANN202
        return json(e.body(), status=e.status)

    @app.exception(IntegrityError)
    async def _integrity(request: Request, e: IntegrityError):  # noqa: ANN202
        # A unique or foreign-key race lost to another request: the transaction rolled back.
        log.info("integrity conflict on %s %s: %s", request.method, request.path, e)
        return json({"error": {"code": "CONFLICT", "message": "数据重复或已被他人修改，请刷新后重试",
                               "fields": {}}}, status=409)

    @app.exception(TransactionRollbackError, LockNotAvailableError)
    async def _contended(request: Request, e: Exception):  # noqa: ANN202
        # PostgreSQL broke a deadlock or a serialization conflict by rolling this transaction back
        # (e.g. two multi-unit writes meeting in one building), or a row stayed locked past
        # DB_LOCK_TIMEOUT_MS: nothing was written, so it is safe to retry.
        log.warning("transaction rolled back by the database on %s %s: %s", request.method, request.path, e)
        return json({"error": {"code": "CONTENDED", "message": "数据正被他人同时修改，本次操作未生效，请稍后重试",
                               "fields": {}}}, status=409)

    @app.exception(SanicException)
    async def _sanic_error(request: Request, e: SanicException):  # noqa: ANN202
        status = getattr(e, "status_code", 500) or 500
        code, msg = _SANIC_ZH.get(status, ("ERROR", "请求处理失败"))
        if status >= 500:
            log.exception("server error", exc_info=e)
        return json({"error": {"code": code, "message": msg, "fields": {}}}, status=status)

    @app.exception(Exception)
    async def _unexpected(request: Request, e: Exception):  # noqa: ANN202
        log.exception("unhandled error on %s %s", request.method, request.path, exc_info=e)
        return json({"error": {"code": "INTERNAL_ERROR", "message": "系统繁忙，请稍后再试", "fields": {}}},
                    status=500)

    @app.get("/healthz")
    @openapi.summary("存活检查")
    @public
    async def healthz(request: Request):
        return json({"status": "ok"})

    @app.get("/readyz")
    @openapi.summary("就绪检查：PostgreSQL、Redis、RabbitMQ")
    @public
    async def readyz(request: Request):
        checks = {}
        try:
            await conn().execute_query("SELECT 1")
            checks["postgresql"] = "ok"
        except Exception as e:  # noqa: BLE001
            checks["postgresql"] = f"down: {type(e).__name__}"
        try:
            await redis().ping()
            checks["redis"] = "ok"
        except Exception as e:  # noqa: BLE001
            checks["redis"] = f"down: {type(e).__name__}"
        try:
            c = await aio_pika.connect(s.amqp_url, timeout=3)
            await c.close()
            checks["rabbitmq"] = "ok"
        except Exception as e:  # noqa: BLE001
            checks["rabbitmq"] = f"down: {type(e).__name__}"
        down = [k for k, v in checks.items() if v != "ok"]
        body = {"status": "ok" if not down else "down", "checks": checks}
        if down:
            body["error"] = {"code": "NOT_READY", "message": f"依赖服务不可用：{', '.join(down)}", "fields": {}}
        return json(body, status=503 if down else 200)

    swagger = Path(s.swagger_dist)
    if swagger.is_dir():
        app.static("/docs/static", swagger, name="swagger_static")
    # Page scripts as files, not inline (the Content-Security-Policy allows no inline script).
    app.static("/docs/swagger-init.js", ROOT / "app" / "static" / "swagger-init.js", name="swagger_init")
    app.static("/static/verify.js", ROOT / "app" / "static" / "verify.js", name="verify_js")

    admin = Path(s.admin_dist)

    @app.get("/")
    @openapi.exclude()
    @public
    async def root(request: Request):
        return redirect("/admin/")

    @app.get("/admin", name="admin_root")
    @app.get("/admin/<path:path>", name="admin_spa")
    @openapi.exclude()
    @public
    async def admin_spa(request: Request, path: str = ""):
        # Built assets are served as they are; every other path is a client-side route.
        target = (admin / path).resolve() if path else admin / "index.html"
        if path and target.is_file() and admin.resolve() in target.parents:
            return await file_response(target, headers={"Cache-Control": "public, max-age=31536000, immutable"}
                                       if "/assets/" in f"/{path}" else None)
        index = admin / "index.html"
        if not index.is_file():
            return json({"error": {"code": "ADMIN_NOT_BUILT", "message": "管理端尚未构建，请运行 make run",
                                   "fields": {}}}, status=503)
        return await file_response(index, headers={"Cache-Control": "no-cache"})

    return app
