"""Shared by the document tests: the run's own e-seal CA, and poppler's view of a PDF.

Imported at collection time, before the API server is started, so the server and this
process both use a CA under the run's temporary key directory (removed with it at the end).
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CA_DIR = ROOT / "var" / "test-keys" / os.environ["ARH_TEST_RUN_ID"] / "ca"
os.environ.setdefault("DOCUMENT_CA_DIR", str(CA_DIR))


def make_ca() -> Path:
    from app.config import get_settings
    from app.documents import ca
    get_settings.cache_clear()  # in case settings were read before this module set the CA dir
    assert Path(get_settings().document_ca_dir) == CA_DIR
    ca.init(CA_DIR)
    return CA_DIR


def _run(cmd: list[str], data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        r = subprocess.run([*cmd, f.name], capture_output=True, text=True, timeout=60)
        return r.stdout + r.stderr


def pdfsig(data: bytes) -> str:
    return _run(["pdfsig"], data)


def pdftext(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, text=True,
                              timeout=60, check=True).stdout


def pdffonts(data: bytes) -> str:
    return _run(["pdffonts"], data)


def signature_valid(report: str) -> bool:
    return "Signature Validation: Signature is Valid." in report


def byte_range(data: bytes) -> list[int]:
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert m, "no /ByteRange in the PDF"
    return [int(x) for x in m.groups()]


def flip_one_signed_byte(data: bytes) -> bytes:
    """Change one byte inside the signed range, in a content stream, so the file still parses."""
    start, length, _, _ = byte_range(data)
    at = data.index(b"stream\n", 200) + len(b"stream\n") + 20
    assert start <= at < start + length
    out = bytearray(data)
    out[at] ^= 0x01
    return bytes(out)
