"""A dump of a database seeded with the demo data holds no demo person's ID number or phone in plain
text: personal data lives only in the PII mechanism (SM4-GCM columns and HMAC-SM3 blind indexes),
and the document templates' sample data is fictitious (issue 10 §3).

The demo data (`python -m app.seed`: orgs, accounts, templates, demo cases, projects, units) goes into
a database of its own, then `pg_dump --data-only` reads every table as an operator's dump would.
"""
from __future__ import annotations

import asyncio
import os
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from app import seed
from app.core.idcard import id_number_error
from app.core.pii import blind_index
from app.documents.seed import SAMPLE_ID_NUMBER, SAMPLE_PHONE
from tests.conftest import ROOT

pytestmark = pytest.mark.feature("GOV-13-05", "GOV-06-03")


def _with_db(url: str, name: str) -> str:
    u = urlsplit(url)
    return urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


async def _run(*args: str, env: dict) -> str:
    p = await asyncio.create_subprocess_exec(*args, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                                             stderr=asyncio.subprocess.STDOUT)
    out, _ = await p.communicate()
    assert p.returncode == 0, out.decode()[-3000:]
    return out.decode()


@pytest.fixture(scope="module")
async def demo_dump():
    base = os.environ["DATABASE_URL"]
    name = urlsplit(base).path.strip("/") + "_pii"
    admin = _with_db(base, "postgres")
    c = await asyncpg.connect(admin)
    await c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await c.execute(f'CREATE DATABASE "{name}"')
    await c.close()
    url = _with_db(base, name)
    env = {**os.environ, "DATABASE_URL": url}
    try:
        await _run(sys.executable, "-m", "app.cli", "migrate", env=env)
        await _run(sys.executable, "-m", "app.seed", env=env)
        u = urlsplit(url)
        dump = await _run("pg_dump", "--data-only", "--no-owner", "-h", u.hostname or "127.0.0.1",
                          "-p", str(u.port or 5432), "-U", u.username or "postgres", name,
                          env={**env, "PGPASSWORD": u.password or ""})
        idx = await asyncpg.connect(url)
        try:
            sample_owner = await idx.fetchval("SELECT count(*) FROM account WHERE id_number_idx = $1",
                                              blind_index(SAMPLE_ID_NUMBER))
            cases = await idx.fetchval("SELECT count(*) FROM \"case\"")
        finally:
            await idx.close()
        yield {"dump": dump, "sample_owner": sample_owner, "cases": cases}
    finally:
        c = await asyncpg.connect(admin)
        await c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await c.close()


def test_the_dump_holds_no_demo_persons_id_number_or_phone(demo_dump):  # noqa: ANN001
    dump = demo_dump["dump"]
    assert demo_dump["cases"] > 0 and "COPY public.account" in dump  # the demo data is really there
    found = [f"{name} {value}" for name, idn, phone in seed.PERSONS for value in (idn, phone) if value in dump]
    assert found == []


def test_template_samples_use_an_obviously_fictitious_person(demo_dump):  # noqa: ANN001
    assert id_number_error(SAMPLE_ID_NUMBER) is None  # a well-formed number with its check digit
    assert SAMPLE_ID_NUMBER not in {idn for _, idn, _ in seed.PERSONS}
    assert demo_dump["sample_owner"] == 0  # belongs to no account
    assert SAMPLE_ID_NUMBER in demo_dump["dump"] and SAMPLE_PHONE not in {p for *_, p in seed.PERSONS}
