"""Sandbox settings from the environment; the defaults pair with the app's development settings."""
from __future__ import annotations

import os
from dataclasses import dataclass


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

    @classmethod
    def from_env(cls) -> SandboxConfig:
        env = os.environ.get
        d = cls()
        return cls(
            host=env("SANDBOX_HOST", d.host),
            port=int(env("SANDBOX_PORT", str(d.port))),
            redis_url=env("REDIS_URL", d.redis_url),
            aliyun_key_id=env("SANDBOX_ALIYUN_KEY_ID", d.aliyun_key_id),
            aliyun_key_secret=env("SANDBOX_ALIYUN_KEY_SECRET", d.aliyun_key_secret),
            tencent_secret_id=env("SANDBOX_TENCENT_SECRET_ID", d.tencent_secret_id),
            tencent_secret_key=env("SANDBOX_TENCENT_SECRET_KEY", d.tencent_secret_key),
            tencent_sms_app_id=env("SANDBOX_TENCENT_SMS_APP_ID", d.tencent_sms_app_id),
        )
