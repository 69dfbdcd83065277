"""`python -m sandbox`: serve on SANDBOX_HOST:SANDBOX_PORT (HTTP) and SANDBOX_TLS_PORT (HTTPS), one process."""
from sanic import Sanic

from .config import SandboxConfig
from .server import create_app
from .tls import ensure

if __name__ == "__main__":
    cfg = SandboxConfig.from_env()
    app = create_app(cfg)
    _, cert, key = ensure(cfg.tls_dir)
    # One process: the stand-ins are light, and a worker manager would only slow start-up.
    app.prepare(host=cfg.host, port=cfg.port, single_process=True, motd=False, access_log=False)
    app.prepare(host=cfg.host, port=cfg.tls_port, ssl={"cert": str(cert), "key": str(key)},
                single_process=True, motd=False, access_log=False)
    Sanic.serve_single(primary=app)
