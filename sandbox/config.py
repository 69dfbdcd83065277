"""Sandbox settings from the environment; the defaults pair with the app's development settings."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8100
    redis_url: str = "redis://127.0.0.1:6379/0"
    aliyun_key_id: str = "LTAI-sandbox"
    aliyun_key_secret: str = "sandbox-secret"
    tencent_secret_id: str = "AKID-sandbox"
    tencent_secret_key: str = "sandbox-secret"
    tencent_sms_app_id: str = "1400000000"
    # The partner stand-ins share the platform's broker, queue prefix and keyring (they hold the
    # partners' private keys, which a real deployment never has).
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    exchange_prefix: str = "arh.exchange"
    exchange_keyring: str = str(ROOT / "var" / "keys" / "exchange.json")
    baidu_ak: str = "sandbox-baidu-ak"
    public_url: str = ""  # how browsers reach the sandbox (e-receipt links); default http://host:port
    tls_port: int = 8443  # the same app over HTTPS, for stand-ins of HTTPS services (Baidu Map)
    tls_dir: str = str(ROOT / "var" / "keys" / "sandbox-tls")

    @classmethod
    def from_env(cls) -> SandboxConfig:
        env = os.environ.get
        d = cls()
        host, port = env("SANDBOX_HOST", d.host), int(env("SANDBOX_PORT", str(d.port)))
        return cls(
            host=host,
            port=port,
            redis_url=env("REDIS_URL", d.redis_url),
            aliyun_key_id=env("SANDBOX_ALIYUN_KEY_ID", d.aliyun_key_id),
            aliyun_key_secret=env("SANDBOX_ALIYUN_KEY_SECRET", d.aliyun_key_secret),
            tencent_secret_id=env("SANDBOX_TENCENT_SECRET_ID", d.tencent_secret_id),
            tencent_secret_key=env("SANDBOX_TENCENT_SECRET_KEY", d.tencent_secret_key),
            tencent_sms_app_id=env("SANDBOX_TENCENT_SMS_APP_ID", d.tencent_sms_app_id),
            amqp_url=env("AMQP_URL", d.amqp_url),
            exchange_prefix=env("EXCHANGE_PREFIX", d.exchange_prefix),
            exchange_keyring=env("EXCHANGE_KEYRING", d.exchange_keyring),
            baidu_ak=env("SANDBOX_BAIDU_AK", d.baidu_ak),
            public_url=(env("SANDBOX_URL") or f"http://{host}:{port}").rstrip("/"),
            tls_port=int(env("SANDBOX_TLS_PORT", str(d.tls_port))),
            tls_dir=env("SANDBOX_TLS_DIR", d.tls_dir),
        )
