"""Run the API: `python -m app.main` (several workers, settings from the environment)."""
from __future__ import annotations

import logging

from sanic import Sanic
from sanic.worker.loader import AppLoader
from sanic.worker.manager import WorkerManager
from sanic.worker.process import WorkerProcess

from app.config import get_settings


def _factory() -> Sanic:
    from app.server import create_app  # why: the worker processes build the app; the manager process must not
    return create_app()


def main() -> None:
    s = get_settings()
    # Workers import WeasyPrint, pyHanko and the BPMN engine; on a busy 2-core machine that can
    # take longer than Sanic's 30 s start-up acknowledgement. Allow two minutes (tenths of a second).
    WorkerProcess.THRESHOLD = WorkerManager.THRESHOLD = 1200
    logging.getLogger("arh").setLevel(logging.INFO)
    loader = AppLoader(factory=_factory)
    app = loader.load()
    # Sanic's default listen backlog is 100: a burst of new connections beyond it overflows the
    # accept queue and those clients wait for a TCP retransmit (1 s, then 3 s) before their first
    # request is even read. The kernel caps this at net.core.somaxconn.
    app.prepare(host=s.api_host, port=s.api_port, workers=max(1, s.api_workers), access_log=False,
                single_process=s.api_workers <= 1, motd=False, backlog=4096)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
