"""Load scenarios for the ARH API (locust).

Two user classes, so that each endpoint is measured on its own:

    LoginUser   POST /api/v1/auth/login, over and over (argon2id-bound)
    MeUser      logs in once in on_start, then GET /api/v1/auth/me with the
                bearer token (session lookup: Redis cache, then PostgreSQL)

Pick one by name on the command line, e.g.

    locust -f bench/locustfile.py --headless -u 100 -r 100 -t 30s \
        --host http://127.0.0.1:8000 MeUser

(or choose in the web UI with --class-picker; the tags `login` and `me` work
too). bench/run.sh runs both at 100 and 500 users and writes bench/results/.

MeUser measures steady state: every simulated user logs in first, and only
when all of them hold a token are the statistics reset and GET /auth/me
starts; the run then stops itself BENCH_DURATION seconds later. The logins
of that ramp are reported under a separate name and are not part of the
/auth/me numbers.

ClerkUser is a person at work: logged in, it opens the todo list, the unit
list with three filters, or the 楼盘表 of the 33 × 12 bench building, then
reads the screen for BENCH_THINK_MIN to BENCH_THINK_MAX seconds (1 to 3) before
the next click. It needs bench/seed_cases.py and bench/seed_housing.py, and
BENCH_BUILDING_ID (bench/run.sh looks it up).

Environment: BENCH_USERNAME (gov_admin: the sessions of MeUser and ClerkUser; its second factor
is read from the sandbox at SANDBOX_URL, once, and the session shared), BENCH_LOGIN_USERNAME
(gov_clerk: LoginUser, an account with no second factor), BENCH_PASSWORD (Demo@2026),
BENCH_DURATION (seconds of steady state for MeUser, 30), BENCH_WAIT (think
time between requests in seconds, 0 = closed loop as fast as possible).
"""

from __future__ import annotations

import json
import os
import random
import urllib.request

import gevent
from gevent.event import Event
from gevent.lock import Semaphore
from locust import between, constant, events, tag, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

USERNAME = os.environ.get("BENCH_USERNAME", "gov_admin")
PASSWORD = os.environ.get("BENCH_PASSWORD", "Demo@2026")
# The login scenario measures the password step over and over, so it logs in as an account whose
# roles ask for no second factor (each admin login would send an SMS, capped per hour).
LOGIN_USERNAME = os.environ.get("BENCH_LOGIN_USERNAME", "gov_clerk")
SANDBOX_URL = os.environ.get("SANDBOX_URL", "http://127.0.0.1:8100")
DURATION = float(os.environ.get("BENCH_DURATION", "30"))
WAIT = float(os.environ.get("BENCH_WAIT", "0"))
LOGIN_BODY = {"username": LOGIN_USERNAME, "password": PASSWORD}
SESSION_BODY = {"username": USERNAME, "password": PASSWORD}

LOGIN = "POST /api/v1/auth/login"
LOGIN_SETUP = "POST /api/v1/auth/login (MeUser on_start)"
ME = "GET /api/v1/auth/me"


def _check_login(resp) -> str | None:
    """Mark the response failed unless it carries a token; return the token."""
    if resp.status_code != 200:
        resp.failure(f"HTTP {resp.status_code}: {resp.text[:200] if resp.text else ''}")
        return None
    try:
        token = resp.json().get("token")
    except Exception as exc:  # noqa: BLE001 - any bad body is a failed request
        resp.failure(f"bad JSON: {exc}")
        return None
    if not token:
        resp.failure("no token in the response")
        return None
    resp.success()
    return token


def _sandbox_login_code(ref: str) -> str | None:
    """The code of the login SMS with this reference, as a person reads it at /sandbox/."""
    for _ in range(50):
        with urllib.request.urlopen(f"{SANDBOX_URL}/sandbox/sms/messages?limit=200", timeout=10) as r:
            for m in json.load(r)["items"]:
                if m["template"] == "login_code" and m["params"].get("ref") == ref:
                    return m["params"]["code"]
        gevent.sleep(0.1)
    return None


_shared: dict = {"second_factor": None, "token": None}  # learnt from the first login
_shared_lock = Semaphore()


def _session_token(client) -> str | None:  # noqa: ANN001
    """A session for USERNAME. An account that needs a second factor logs in once (its SMS code
    read from the sandbox) and every simulated user shares that session; any other account
    logs in once per user, as before."""
    if _shared["second_factor"] is False:
        return _own_login(client)
    with _shared_lock:
        if _shared["token"] is not None:
            return _shared["token"]
        with client.post("/api/v1/auth/login", json=SESSION_BODY, name=LOGIN_SETUP, catch_response=True) as resp:
            challenge = resp.json() if resp.status_code == 200 else {}
            if "second_factor" not in challenge:
                _shared["second_factor"] = False if resp.status_code == 200 else None
                return _check_login(resp)
            resp.success()
        _shared["second_factor"] = True
        code = _sandbox_login_code(challenge["ref"])
        if code is None:
            return None
        with client.post("/api/v1/auth/login/verify", name=LOGIN_SETUP + " second factor", catch_response=True,
                         json={"challenge_token": challenge["challenge_token"], "code": code}) as resp:
            _shared["token"] = _check_login(resp)
        return _shared["token"]


def _own_login(client) -> str | None:  # noqa: ANN001
    with client.post("/api/v1/auth/login", json=SESSION_BODY, name=LOGIN_SETUP, catch_response=True) as resp:
        return _check_login(resp)


class LoginUser(FastHttpUser):
    """Closed loop of staff logins with the demo account."""

    wait_time = constant(WAIT)
    # a login under heavy load waits for an argon2 slot; do not give up early
    network_timeout = 60.0
    connection_timeout = 10.0

    @tag("login")
    @task
    def login(self) -> None:
        with self.client.post("/api/v1/auth/login", json=LOGIN_BODY, name=LOGIN,
                              catch_response=True) as resp:
            _check_login(resp)


# --- MeUser: a barrier so that /auth/me is measured only once everyone is logged in

_logged_in = 0
_all_ready = Event()


@events.test_start.add_listener
def _reset_barrier(environment, **_kw) -> None:
    global _logged_in
    _logged_in = 0
    _all_ready.clear()


def _release(environment) -> None:
    """Everyone has a token: measure from now on, for DURATION seconds."""
    if _all_ready.is_set():
        return
    runner = environment.runner
    if runner is not None:
        runner.stats.reset_all()
        gevent.spawn_later(DURATION, runner.quit)
    _all_ready.set()


class MeUser(FastHttpUser):
    """Logs in once, then asks who it is, as fast as the API answers."""

    wait_time = constant(WAIT)
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        global _logged_in
        token = None
        for attempt in range(5):
            token = _session_token(self.client)
            if token:
                break
            gevent.sleep(0.5 * (attempt + 1))
        if not token:
            raise StopUser()  # counted as failed logins above; the barrier times out
        self.auth = {"Authorization": f"Bearer {token}"}
        _logged_in += 1
        runner = self.environment.runner
        target = getattr(runner, "target_user_count", None) or 1
        if _logged_in >= target:
            _release(self.environment)
        # a user that missed its login must not hold the others back for ever
        _all_ready.wait(timeout=120)
        _release(self.environment)

    @tag("me")
    @task
    def me(self) -> None:
        with self.client.get("/api/v1/auth/me", headers=self.auth, name=ME,
                             catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}")
            else:
                resp.success()


# --- ClerkUser: users who read what they open before clicking again

THINK_MIN = float(os.environ.get("BENCH_THINK_MIN", "1"))
THINK_MAX = float(os.environ.get("BENCH_THINK_MAX", "3"))
BUILDING_ID = os.environ.get("BENCH_BUILDING_ID", "")
TODO = "GET /api/v1/todo (100k cases)"
UNIT_LIST = "GET /api/v1/housing/units, 3 filters (100k units)"
UNIT_TABLE = "GET /api/v1/housing/buildings/{id}/table (33×12)"
UNIT_LIST_PATH = ("/api/v1/housing/units?district_code=440703&state=available"
                  "&layout=%E4%B8%A4%E6%88%BF%E4%B8%80%E5%8E%85&page_size=20")


class ClerkUser(MeUser):
    """Logs in once, then works through the housing screens with think time between clicks."""

    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self) -> None:
        super().on_start()
        # People do not all click at the same instant the barrier opens: the first click of each
        # comes somewhere within one think time, as every later one does.
        gevent.sleep(random.uniform(0, THINK_MAX))

    def _get(self, path: str, name: str) -> None:
        # A browser asks for gzip; the unit table is served compressed when it may be.
        headers = {**self.auth, "Accept-Encoding": "gzip, deflate, br"}
        with self.client.get(path, headers=headers, name=name, catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}")
            else:
                resp.success()

    @tag("clerk")
    @task
    def todo(self) -> None:
        self._get("/api/v1/todo?page=1&page_size=20", TODO)

    @tag("clerk")
    @task
    def unit_list(self) -> None:
        self._get(UNIT_LIST_PATH, UNIT_LIST)

    @tag("clerk")
    @task
    def unit_table(self) -> None:
        self._get(f"/api/v1/housing/buildings/{BUILDING_ID}/table", UNIT_TABLE)
