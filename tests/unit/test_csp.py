"""The pages' Content-Security-Policy (issue 10 §3): strict by default, Baidu Map hosts only with a key."""
from __future__ import annotations

import pytest

from app.core.csp import BAIDU_MAP_HOSTS, policy

pytestmark = pytest.mark.feature("GOV-13-04")


def _directives(p: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in p.split("; ")}


def test_the_policy_is_self_only_without_a_map_key():
    d = _directives(policy("arh.example.cn:8443"))
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'"]  # no inline script, no eval
    assert d["style-src"] == ["'self'", "'unsafe-inline'"]
    assert d["img-src"] == ["'self'", "data:", "blob:"]
    assert d["connect-src"] == ["'self'", "ws://arh.example.cn:8443", "wss://arh.example.cn:8443"]
    assert d["frame-ancestors"] == ["'self'"] and d["object-src"] == ["'none'"]
    assert "baidu" not in policy("x")


def test_a_map_key_adds_the_baidu_hosts_to_scripts_images_and_connections():
    d = _directives(policy("x", baidu_map=True))
    for directive in ("script-src", "img-src", "connect-src", "style-src"):
        assert set(BAIDU_MAP_HOSTS) <= set(d[directive]), directive
    assert "'unsafe-inline'" not in d["script-src"] and "'unsafe-eval'" not in d["script-src"]
    assert d["default-src"] == ["'self'"]
