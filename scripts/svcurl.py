#!/usr/bin/env python3
"""Helpers for scripts/services.sh, standard library only (it runs before `uv sync`).

    svcurl.py parse URL
        Print shell assignments (URL_SCHEME, URL_HOST, URL_PORT, URL_USER,
        URL_PASSWORD, URL_PATH) for `eval`, with the usual defaults per scheme.

    svcurl.py amqp-ping URL [TIMEOUT]
        Open an AMQP 0-9-1 connection the way a client does: protocol header,
        Start/Start-Ok (PLAIN), Tune/Tune-Ok, Open(vhost), then Close.
        Exit 0: broker answered and accepted the credentials and vhost.
        Exit 1: nothing listens on that address (connect refused or timed out).
        Exit 2: something listens but we cannot use it (not AMQP, bad credentials,
                unknown vhost, dropped connection).
"""

from __future__ import annotations

import shlex
import socket
import struct
import sys
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {
    "postgres": 5432,
    "postgresql": 5432,
    "asyncpg": 5432,
    "psycopg": 5432,
    "redis": 6379,
    "rediss": 6379,
    "amqp": 5672,
    "amqps": 5671,
}


def parse(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or DEFAULT_PORTS.get(scheme, 0)
    return {
        "URL_SCHEME": scheme,
        "URL_HOST": parts.hostname or "127.0.0.1",
        "URL_PORT": str(port),
        "URL_USER": unquote(parts.username or ""),
        "URL_PASSWORD": unquote(parts.password or ""),
        # path without the leading "/", percent-decoded: database name, redis db, or vhost
        "URL_PATH": unquote(parts.path[1:] if parts.path.startswith("/") else parts.path),
    }


# --- a minimal AMQP 0-9-1 client -------------------------------------------------

FRAME_METHOD = 1
FRAME_END = b"\xce"


class NotAmqp(Exception):
    pass


class Refused(Exception):
    pass


def _shortstr(s: str) -> bytes:
    b = s.encode()
    return struct.pack("!B", len(b)) + b


def _longstr(b: bytes) -> bytes:
    return struct.pack("!I", len(b)) + b


def _table(entries: dict[str, object]) -> bytes:
    out = b""
    for key, value in entries.items():
        out += _shortstr(key)
        if isinstance(value, bool):
            out += b"t" + struct.pack("!B", int(value))
        elif isinstance(value, dict):
            out += b"F" + _table(value)
        else:
            out += b"S" + _longstr(str(value).encode())
    return _longstr(out)


def _method(class_id: int, method_id: int, args: bytes) -> bytes:
    payload = struct.pack("!HH", class_id, method_id) + args
    return struct.pack("!BHI", FRAME_METHOD, 0, len(payload)) + payload + FRAME_END


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionResetError("connection closed by peer")
        buf += chunk
    return buf


def _recv_method(sock: socket.socket) -> tuple[int, int, bytes]:
    while True:
        header = _recv_exact(sock, 7)
        if header.startswith(b"AMQP"):
            raise NotAmqp("server rejected our protocol version")
        ftype, _channel, size = struct.unpack("!BHI", header)
        if size > 1 << 20:
            raise NotAmqp("implausible frame size; not an AMQP server")
        payload = _recv_exact(sock, size)
        if _recv_exact(sock, 1) != FRAME_END:
            raise NotAmqp("bad frame end; not an AMQP server")
        if ftype == 8:  # heartbeat
            continue
        if ftype != FRAME_METHOD:
            raise NotAmqp(f"unexpected frame type {ftype}")
        class_id, method_id = struct.unpack("!HH", payload[:4])
        return class_id, method_id, payload[4:]


def _close_reason(args: bytes) -> str:
    code = struct.unpack("!H", args[:2])[0]
    n = args[2]
    return f"{code} {args[3:3 + n].decode(errors='replace')}"


def amqp_ping(url: str, timeout: float = 3.0) -> tuple[int, str]:
    u = parse(url)
    if u["URL_SCHEME"] == "amqps":
        return 2, "amqps:// is not probed by this script"
    user = u["URL_USER"] or "guest"
    password = u["URL_PASSWORD"] or "guest"
    vhost = u["URL_PATH"] or "/"
    addr = (u["URL_HOST"], int(u["URL_PORT"]))
    try:
        sock = socket.create_connection(addr, timeout=timeout)
    except OSError as exc:
        return 1, f"no answer at {addr[0]}:{addr[1]} ({exc.strerror or exc})"
    try:
        sock.settimeout(timeout)
        sock.sendall(b"AMQP\x00\x00\x09\x01")
        cls, meth, _args = _recv_method(sock)
        if (cls, meth) != (10, 10):
            raise NotAmqp(f"expected connection.start, got {cls}.{meth}")
        props = {
            "product": "arh services.sh probe",
            "capabilities": {"authentication_failure_close": True},
        }
        response = b"\x00" + user.encode() + b"\x00" + password.encode()
        sock.sendall(_method(10, 11, _table(props) + _shortstr("PLAIN") + _longstr(response) + _shortstr("en_US")))
        cls, meth, args = _recv_method(sock)
        if (cls, meth) == (10, 50):
            raise Refused(f"login as {user!r} refused: {_close_reason(args)}")
        if (cls, meth) != (10, 30):
            raise NotAmqp(f"expected connection.tune, got {cls}.{meth}")
        # Echo the server's limits: RabbitMQ closes on a channel_max above its own.
        channel_max, frame_max, _heartbeat = struct.unpack("!HIH", args[:8])
        sock.sendall(_method(10, 31, struct.pack("!HIH", channel_max, frame_max, 0)))
        sock.sendall(_method(10, 40, _shortstr(vhost) + _shortstr("") + b"\x00"))
        cls, meth, args = _recv_method(sock)
        if (cls, meth) == (10, 50):
            raise Refused(f"vhost {vhost!r} refused: {_close_reason(args)}")
        if (cls, meth) != (10, 41):
            raise NotAmqp(f"expected connection.open-ok, got {cls}.{meth}")
        sock.sendall(_method(10, 50, struct.pack("!H", 200) + _shortstr("bye") + struct.pack("!HH", 0, 0)))
        try:
            _recv_method(sock)  # close-ok; not worth failing over
        except (OSError, NotAmqp):
            pass
        return 0, f"AMQP broker at {addr[0]}:{addr[1]} accepted {user!r} on vhost {vhost!r}"
    except (ConnectionResetError, BrokenPipeError) as exc:
        return 2, f"{addr[0]}:{addr[1]} accepted the connection, then dropped it ({exc}); not an AMQP broker?"
    except socket.timeout:
        return 2, f"{addr[0]}:{addr[1]} accepted the connection but did not answer in {timeout}s; not an AMQP broker?"
    except (NotAmqp, struct.error, IndexError) as exc:
        return 2, f"{addr[0]}:{addr[1]} answers but is not a usable AMQP broker: {exc}"
    except Refused as exc:
        return 2, str(exc)
    finally:
        sock.close()


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "parse":
        for key, value in parse(argv[1]).items():
            print(f"{key}={shlex.quote(value)}")
        return 0
    if len(argv) >= 2 and argv[0] == "amqp-ping":
        timeout = float(argv[2]) if len(argv) > 2 else 3.0
        code, message = amqp_ping(argv[1], timeout)
        print(message, file=sys.stderr)
        return code
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
