"""Every route declares who may call it (CONVENTIONS: "Each handler declares its permission code").

The app is built in-process and its router walked: a handler without a declaration fails here,
before the request middleware would refuse it at run time (fail closed, see app.identity.guard).
"""
from __future__ import annotations

import pytest

from app.identity.guard import ACCESS_ATTR, access_of, perm
from app.identity.permissions import MENUS, PERMISSIONS, all_menu_permissions, grantable

pytestmark = pytest.mark.feature("GOV-13-04")

KINDS = {"public", "staff", "person", "authenticated", "perm"}
# Routes under the staff and person APIs that anyone may call. A new public route there must be
# added here on purpose; /api/public/* and /api/callbacks/* are public by design.
PUBLIC_OUTSIDE_PUBLIC_API = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/login/verify"), ("POST", "/api/v1/auth/login/resend"),  # the login's second step
    ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/"), ("GET", "/admin"), ("GET", "/admin/<path:path>"),
    ("GET", "/verify/<doc_id:str>"),  # the page the QR code on every issued document opens
}


@pytest.fixture(scope="module")
def app():
    from app.server import create_app
    return create_app(name="arh_routes_test")


def _api_routes(app):  # noqa: ANN001, ANN202
    """(method, path, route) for every route that is ours: not static files, not sanic-ext's docs."""
    out = []
    for r in app.router.routes:
        if r.extra.static or r.name.startswith(f"{app.name}.openapi."):
            continue
        for m in sorted(r.methods - {"HEAD", "OPTIONS"}):
            out.append((m, "/" + r.path, r))
    return out


def test_every_route_declares_its_access(app):
    routes = _api_routes(app)
    # The walk really saw the app: the identity, audit, files and jobs blueprints are all there.
    paths = {p for _, p, _ in routes}
    assert {"/api/v1/auth/login", "/api/v1/identity/orgs", "/api/v1/identity/staff/<account_id:int>",
            "/api/v1/audit/logs", "/api/v1/files", "/api/v1/jobs/<job_id:uuid>", "/api/me/profile"} <= paths
    assert len(routes) >= 45

    undeclared = [f"{m} {p} -> {r.handler!r}" for m, p, r in routes if access_of(r.handler) is None]
    assert undeclared == [], "routes without @perm/@public/@person/@staff/@authenticated:\n" + "\n".join(undeclared)

    for m, p, r in routes:
        kind, code = access_of(r.handler)
        assert kind in KINDS, (m, p, kind)
        if kind == "perm":
            codes = code if isinstance(code, tuple) else (code,)
            assert all(c in PERMISSIONS for c in codes), f"{m} {p} declares unknown permission {code}"
        else:
            assert code is None, (m, p, kind, code)


def test_excluded_routes_are_only_static_files_and_api_docs(app):
    """The exemption in the test matches the one in the server's middleware, and covers nothing else."""
    skipped = [r for r in app.router.routes
               if r.extra.static or r.name.startswith(f"{app.name}.openapi.")]
    assert skipped, "expected the swagger static route and the openapi blueprint"
    for r in skipped:
        # The API docs, and the verify page's script (a file, so the page's CSP needs no inline script).
        assert r.path.startswith("docs") or (r.extra.static and r.path == "static/verify.js"), r.path
        assert "GET" in r.methods and r.methods <= {"GET", "HEAD", "OPTIONS"}, (r.path, r.methods)


def test_audience_prefixes_match_declarations(app):
    for m, p, r in _api_routes(app):
        kind, code = access_of(r.handler)
        if p.startswith("/api/me/"):
            assert kind == "person", f"{m} {p} is a person's own API but declares {kind}"
        elif p.startswith("/api/v1/"):
            assert kind != "person", f"{m} {p} is a staff API but declares person"
            if kind == "public":
                assert (m, p) in PUBLIC_OUTSIDE_PUBLIC_API, f"{m} {p} is a staff API but public"
        elif kind == "public" and not p.startswith(("/api/public/", "/api/callbacks/")):
            assert (m, p) in PUBLIC_OUTSIDE_PUBLIC_API, f"{m} {p} is public outside /api/public"


def test_menu_permissions_exist_and_are_grantable():
    codes = all_menu_permissions()
    assert codes, "menus carry permissions"
    assert codes - set(PERMISSIONS) == set()

    def leaves(ms):  # noqa: ANN001, ANN202
        for m in ms:
            if m.children:
                yield from leaves(m.children)
            else:
                yield m
    for leaf in leaves(MENUS):
        assert leaf.permissions, f"menu {leaf.code} has no permission, so nobody can see it"
        view = leaf.permissions[0]
        # Whoever may hold a menu's other codes may also hold its view code, or the menu would vanish.
        for c in leaf.permissions[1:]:
            assert set(PERMISSIONS[c].kinds) <= set(PERMISSIONS[view].kinds), (leaf.code, c)
    assert any(grantable(k) & codes for k in ("GOV", "BUILDER", "OPERATOR"))


def test_perm_refuses_unknown_codes_at_import_time():
    with pytest.raises(ValueError, match="unknown permission"):
        perm("identity.org.delete_everything")

    @perm("identity.org.read")
    async def h(request):  # noqa: ANN001, ANN202
        return None
    assert getattr(h, ACCESS_ATTR) == ("perm", "identity.org.read")
