"""The Content-Security-Policy of every page the API serves (/admin/, the /docs page, /verify/…).

Scripts come only from our own origin: no inline script, no eval. Styles also allow
'unsafe-inline' because Element Plus (and Swagger UI) position popovers, tables and dialogs through
style attributes it computes at run time; a nonce cannot cover style attributes, and style
injection cannot run code. The push hub's websocket is the same host, over ws: or wss:. The Baidu
Map GL JS hosts are added only when a browser key is configured (VITE_BAIDU_MAP_AK, the variable
the admin build reads), since only then does the admin load the map script.
deploy/nginx.conf sends the same policy.
"""
from __future__ import annotations

# The GL JS loader (api.map.baidu.com) pulls its code, styles, tiles and icons from these.
BAIDU_MAP_HOSTS = ("https://api.map.baidu.com", "https://*.baidu.com", "https://*.bdimg.com",
                   "https://*.bdstatic.com")


def policy(host: str, *, baidu_map: bool = False) -> str:
    """The policy for a page served to `host` (the request's Host, with any port)."""
    extra = "".join(f" {h}" for h in BAIDU_MAP_HOSTS) if baidu_map else ""
    sockets = f" ws://{host} wss://{host}" if host else ""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self'{extra}",
        f"style-src 'self' 'unsafe-inline'{extra}",
        f"img-src 'self' data: blob:{extra}",
        "font-src 'self' data:",
        f"connect-src 'self'{sockets}{extra}",
        "worker-src 'self' blob:",
        "frame-ancestors 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])
