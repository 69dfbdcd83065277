"""Test harness: a fresh database, Redis DB and RabbitMQ vhost per run; the real API, sandbox and
worker started as processes; helpers to log in and read SMS codes from the sandbox.

Environment is set here, before any app module reads its settings.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Set once per run: a second import of this module (as tests.conftest) must not pick new names.
RUN_ID = os.environ.setdefault("ARH_TEST_RUN_ID", f"{os.getpid()}_{secrets.token_hex(3)}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _with_path(url: str, path: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, path, p.query, p.fragment))


def _make_vhost(amqp: str) -> str:
    """A vhost of our own when rabbitmqctl can make one; the default vhost otherwise."""
    vhost = f"arh_test_{RUN_ID}"
    ctl = shutil.which("rabbitmqctl")
    p = urlsplit(amqp)
    if ctl and p.hostname in ("127.0.0.1", "localhost") and (p.port or 5672) == 5672:
        try:
            subprocess.run([ctl, "-q", "add_vhost", vhost], check=True, capture_output=True, timeout=30)
            subprocess.run([ctl, "-q", "set_permissions", "-p", vhost, p.username or "guest", ".*", ".*", ".*"],
                           check=True, capture_output=True, timeout=30)
            os.environ["ARH_TEST_VHOST"] = vhost
            return _with_path(amqp, "/" + vhost)
        except (subprocess.SubprocessError, OSError):
            pass
    return amqp


BASE_DB = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/arh")
TEST_DB_NAME = f"arh_test_{RUN_ID}"
API_PORT = int(os.environ.get("ARH_TEST_API_PORT") or _free_port())
SANDBOX_PORT = int(os.environ.get("ARH_TEST_SANDBOX_PORT") or _free_port())
os.environ["ARH_TEST_API_PORT"], os.environ["ARH_TEST_SANDBOX_PORT"] = str(API_PORT), str(SANDBOX_PORT)
_redis_base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _run_alive(run_id: str) -> bool:
    """Whether the test run that wrote this id (`<pid>_<hex>`) still has a live process on this machine."""
    try:
        os.kill(int(run_id.split("_")[0]), 0)
    except ProcessLookupError:
        return False
    except (ValueError, PermissionError, OSError):
        return True
    return True


def _claim_redis_db() -> int:
    """A Redis DB (1..15) no other live run holds: runs flush their DB at start, so two sharing
    one would log each other out. The claim lives in DB 0 and expires if a run dies."""
    import redis as sync_redis
    try:
        r = sync_redis.Redis.from_url(_with_path(_redis_base, "/0"))
        for n in range(1, 16):
            if r.set(f"arh:test-redis-db:{n}", RUN_ID, nx=True, ex=3 * 3600):
                return n
        # All taken: a claim whose run's process is gone (killed, so it never released) is free again.
        for n in range(1, 16):
            key = f"arh:test-redis-db:{n}"
            owner = (r.get(key) or b"").decode()
            if owner and not _run_alive(owner):
                with r.pipeline() as p:
                    try:
                        p.watch(key)
                        if (p.get(key) or b"").decode() == owner:
                            p.multi()
                            p.set(key, RUN_ID, ex=3 * 3600)
                            p.execute()
                            return n
                    except sync_redis.WatchError:
                        continue
    except Exception:  # noqa: BLE001 - no Redis here yet: the database fixture will say so
        pass
    return 1 + int(RUN_ID.split("_")[1], 16) % 15


def _release_redis_db(url: str) -> None:
    import redis as sync_redis
    n = urlsplit(url).path.strip("/")
    try:
        r = sync_redis.Redis.from_url(_with_path(_redis_base, "/0"))
        if (r.get(f"arh:test-redis-db:{n}") or b"").decode() == RUN_ID:
            r.delete(f"arh:test-redis-db:{n}")
    except Exception:  # noqa: BLE001
        pass


ENV = {
    "ENV": "test",
    "DATABASE_URL": _with_path(BASE_DB, "/" + TEST_DB_NAME),
    # A Redis DB of this run's own (1..15), so two runs on one machine do not flush each other.
    "REDIS_URL": os.environ.get("ARH_TEST_REDIS_URL") or _with_path(_redis_base, f"/{_claim_redis_db()}"),
    "AMQP_URL": os.environ.get("ARH_TEST_AMQP_URL")
    or _make_vhost(os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")),
    "TASK_QUEUE": f"arh.test.{RUN_ID}",
    "TASK_QUEUE_TYPE": "classic",
    # Cheaper hashing keeps the suite fast; production cost is the default in app/config.py.
    "ARGON2_TIME_COST": "1",
    "ARGON2_MEMORY_KIB": "8192",
    "API_HOST": "127.0.0.1",
    "API_PORT": str(API_PORT),
    "API_WORKERS": "2",
    "DB_POOL_MAX": "5",
    "SANDBOX_PORT": str(SANDBOX_PORT),
    "SANDBOX_URL": f"http://127.0.0.1:{SANDBOX_PORT}",
    "SANDBOX_TLS_PORT": os.environ.get("SANDBOX_TLS_PORT") if "ARH_TEST_RUN_ID_TLS" in os.environ else str(_free_port()),
    "SANDBOX_TLS_DIR": str(ROOT / "var" / "test-keys" / RUN_ID / "tls"),
    "ALIYUN_SMS_ENDPOINT": f"http://127.0.0.1:{SANDBOX_PORT}/aliyun/sms/",
    "TENCENT_SMS_ENDPOINT": f"http://127.0.0.1:{SANDBOX_PORT}/tencent/sms/",
    "FILE_ROOT": str(ROOT / "var" / "test-files" / RUN_ID),
    "EXCHANGE_KEYRING": str(ROOT / "var" / "test-keys" / RUN_ID / "exchange.json"),
    "EXCHANGE_PREFIX": f"arh.exchange.test.{RUN_ID}",
    "UPLOAD_MAX_MB": "2",
    # Tests speak for many clients: each test names its own IP in X-Forwarded-For.
    "TRUST_FORWARDED_FOR": "true",
    # Admins log in many times a run; each login of theirs sends a code to the sandbox.
    "LOGIN_CODE_PER_ACCOUNT_HOURLY": "100000",
    # The test client plays nginx for the client-certificate login (tests/api/test_auth.py).
    "CLIENT_CERT_TRUSTED_PROXIES": "127.0.0.1/32",
    "PUBLIC_BASE_URL": f"http://127.0.0.1:{API_PORT}",
}
os.environ.update(ENV)
from exchange.keys import init as _init_keyring  # noqa: E402

_init_keyring(ENV["EXCHANGE_KEYRING"])
os.environ["ARH_TEST_AMQP_URL"] = ENV["AMQP_URL"]
os.environ["ARH_TEST_REDIS_URL"] = ENV["REDIS_URL"]
os.environ["ARH_TEST_RUN_ID_TLS"] = "1"

from tests.helpers import DEMO_PASSWORD, fresh_ip, fresh_phone, make_id_number, staff_token  # noqa: E402,F401


def _wait_http(url: str, proc: subprocess.Popen, name: str, timeout: float = 180) -> None:
    """Wait for a spawned server; on failure stop it, so no orphan outlives the run."""
    try:
        _wait(url, proc, name, timeout)
    except RuntimeError:
        _stop(proc)
        raise


def _wait(url: str, proc: subprocess.Popen, name: str, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}; see var/log/test-{name}.log")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer at {url}")


def _spawn(name: str, args: list[str]) -> subprocess.Popen:
    log_dir = ROOT / "var" / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    out = open(log_dir / f"test-{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ}, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "feature(*ids): spec feature IDs this test proves")


@pytest.fixture(scope="session", autouse=True)
async def database():
    """Create the run's database, migrate it, load the demo data, and connect this process."""
    import asyncpg

    admin_url = _with_path(BASE_DB, "/postgres")
    c = await asyncpg.connect(admin_url)
    await c.execute(f'CREATE DATABASE "{TEST_DB_NAME}"')
    await c.close()
    import redis.asyncio as aioredis
    r = aioredis.from_url(ENV["REDIS_URL"])
    await r.flushdb()
    await r.aclose()

    from tortoise.migrations.api import migrate

    from app.core.context import SystemActor, current_actor
    from app.core.db import close_db, init_db, tortoise_config
    from app import domains  # noqa: F401 - installs the domains: their models, permissions and menus
    from app.identity import access  # noqa: F401
    await migrate(config=tortoise_config())
    await close_db()
    await init_db()
    current_actor.set(SystemActor())
    from app import seed
    await seed.seed()
    current_actor.set(None)
    yield
    from app.core.cache import close_redis
    await close_redis()
    await close_db()
    c = await asyncpg.connect(admin_url)
    await c.execute(f'DROP DATABASE IF EXISTS "{TEST_DB_NAME}" WITH (FORCE)')
    await c.close()
    shutil.rmtree(ENV["FILE_ROOT"], ignore_errors=True)
    _release_redis_db(ENV["REDIS_URL"])
    shutil.rmtree(Path(ENV["EXCHANGE_KEYRING"]).parent, ignore_errors=True)
    if os.environ.get("ARH_TEST_VHOST") and shutil.which("rabbitmqctl"):
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", os.environ["ARH_TEST_VHOST"]],
                       capture_output=True, timeout=60, check=False)


@dataclass
class Server:
    url: str
    proc: subprocess.Popen


@pytest.fixture(scope="session")
def sandbox(database):  # noqa: ANN001
    proc = _spawn("sandbox", [sys.executable, "-m", "sandbox"])
    url = f"http://127.0.0.1:{SANDBOX_PORT}"
    _wait_http(url + "/healthz", proc, "sandbox")
    yield Server(url, proc)
    _stop(proc)


@pytest.fixture(scope="session")
def live_server(database, sandbox):  # noqa: ANN001
    proc = _spawn("api", [sys.executable, "-m", "app.main"])
    url = f"http://127.0.0.1:{API_PORT}"
    _wait_http(url + "/healthz", proc, "api")
    yield Server(url, proc)
    _stop(proc)


@pytest.fixture(scope="session")
def job_worker(database):  # noqa: ANN001
    proc = _spawn("worker", [str(ROOT / ".venv" / "bin" / "taskiq"), "worker", "app.worker:broker",
                             "--workers", "1"])
    time.sleep(3)
    if proc.poll() is not None:
        raise RuntimeError("worker exited; see var/log/test-worker.log")
    yield proc
    _stop(proc)


class Api:
    """An HTTP client for the live API, speaking as one client IP."""

    def __init__(self, base: str):
        self.base = base
        self.ip = fresh_ip()
        self.client = httpx.AsyncClient(base_url=base, timeout=30, headers={"X-Forwarded-For": self.ip})

    async def login(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """Both steps of a staff login: the second factor's code is read from the sandbox."""
        return await staff_token(self.client, username, password)

    async def person_login(self, id_number: str, password: str = DEMO_PASSWORD) -> str:
        r = await self.client.post("/api/public/auth/login", json={"id_number": id_number, "password": password})
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def _h(self, token: str | None) -> dict:
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def get(self, path: str, token: str | None = None, **kw):  # noqa: ANN003, ANN201
        return await self.client.get(path, headers=self._h(token), **kw)

    async def post(self, path: str, token: str | None = None, **kw):  # noqa: ANN003, ANN201
        return await self.client.post(path, headers=self._h(token), **kw)

    async def put(self, path: str, token: str | None = None, **kw):  # noqa: ANN003, ANN201
        return await self.client.put(path, headers=self._h(token), **kw)

    async def delete(self, path: str, token: str | None = None, **kw):  # noqa: ANN003, ANN201
        return await self.client.delete(path, headers=self._h(token), **kw)


@pytest.fixture
async def api(live_server):  # noqa: ANN001
    a = Api(live_server.url)
    yield a
    await a.client.aclose()


_tokens: dict[str, str] = {}


@pytest.fixture
async def token(api):  # noqa: ANN001
    """token('gov_admin') -> a bearer token for a demo account (cached for the run)."""
    async def get(username: str) -> str:
        if username not in _tokens:
            _tokens[username] = await api.login(username)
        return _tokens[username]
    return get


@pytest.fixture
async def sms(sandbox):  # noqa: ANN001
    """sms(phone) -> the latest verification code the sandbox received for that phone."""
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=10) as c:
        async def latest(phone: str) -> str:
            for _ in range(20):
                r = await c.get("/sandbox/sms/messages", params={"phone": phone, "limit": 1})
                items = r.json()["items"]
                if items:
                    m = re.search(r"\d{6}", items[0]["text"])
                    assert m, items[0]
                    return m.group(0)
                await asyncio.sleep(0.1)
            raise AssertionError(f"no SMS for {phone}")
        yield latest


@pytest.fixture
async def new_staff(api, token):  # noqa: ANN001
    """new_staff(admin='gov_admin', permissions=[...]) -> (login, password, account id): a fresh staff account
    with its own role, made through the real API, for tests that change or lock accounts."""
    n = itertools.count()

    async def make(admin: str = "gov_admin", permissions: list[str] | None = None, position: str = "clerk"):
        t = await token(admin)
        i = next(n)
        tag = f"{RUN_ID}_{i}_{secrets.token_hex(2)}"
        r = await api.post("/api/v1/identity/roles", t, json={"name": f"测试角色{tag}",
                                                                "permissions": permissions or []})
        assert r.status_code == 201, r.text
        role_id = r.json()["id"]
        r = await api.post("/api/v1/identity/staff", t, json={"name": "测试员工", "phone": fresh_phone(),
                                                                "position": position, "hired_on": "2026-01-05"})
        assert r.status_code == 201, r.text
        acc_id = r.json()["id"]
        login = f"t{tag}".replace("_", "")[:30]
        r = await api.post(f"/api/v1/identity/staff/{acc_id}/account", t,
                           json={"login_name": login, "password": "Clerk@2026x", "role_ids": [role_id]})
        assert r.status_code == 200, r.text
        # A new account must change its first password before anything else.
        first = await api.login(login, "Clerk@2026x")
        password = "Clerk@2026y"
        r = await api.post("/api/v1/auth/password", first, json={"old_password": "Clerk@2026x",
                                                                  "new_password": password})
        assert r.status_code == 200, r.text
        return login, password, acc_id
    return make
