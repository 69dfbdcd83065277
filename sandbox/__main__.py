"""`python -m sandbox`: serve on SANDBOX_HOST:SANDBOX_PORT in one process."""
from .config import SandboxConfig
from .server import create_app

if __name__ == "__main__":
    cfg = SandboxConfig.from_env()
    # One process: the stand-ins are light, and a worker manager would only slow start-up.
    create_app(cfg).run(host=cfg.host, port=cfg.port, single_process=True, motd=False, access_log=False)
