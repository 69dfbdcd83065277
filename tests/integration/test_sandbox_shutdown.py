"""`make run` stops on Ctrl-C: the sandbox (HTTP and HTTPS in one process) exits on SIGTERM."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sandbox_exits_on_sigterm(tmp_path):
    port = _port()
    env = {**os.environ, "SANDBOX_PORT": str(port), "SANDBOX_TLS_PORT": str(_port())}
    log = open(tmp_path / "sandbox.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "sandbox"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("sandbox did not start: " + (tmp_path / "sandbox.log").read_text())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) is not None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
