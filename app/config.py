"""Settings from the environment. Every setting is listed, with its default, in the README."""
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

# Development keys: fine for `make run` and tests, refused in production (see check()).
_DEV_PII_KEY = "0123456789abcdeffedcba9876543210"
_DEV_PII_INDEX_KEY = "a3f1c2d4e5b6978812345678abcdef0011223344556677889900aabbccddeeff"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    env: str = Field("dev", description="dev | test | prod")
    database_url: str = "postgres://postgres@127.0.0.1:5432/arh"
    redis_url: str = "redis://127.0.0.1:6379/0"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_workers: int = 2
    db_pool_max: int = 10
    # How long an API request waits for a row another transaction holds (e.g. a 10,000-row import
    # holding its buildings) before it answers "being changed, retry" (409) instead of hanging. 0 = forever.
    db_lock_timeout_ms: int = 5000
    public_base_url: str = "http://127.0.0.1:8000"

    # PII: SM4 key (16 bytes hex) and HMAC-SM3 blind-index key (hex).
    pii_key: str = _DEV_PII_KEY
    pii_key_id: int = 1
    pii_index_key: str = _DEV_PII_INDEX_KEY

    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    login_max_failures: int = 5
    login_failure_window_minutes: int = 15
    login_lock_minutes: int = 15
    # Staff second factor (docs/identity.md): SMS codes per login, and the CA certificate behind nginx.
    login_code_per_account_hourly: int = 30
    login_code_resend_seconds: int = 60
    login_code_max_sends: int = 3
    # Peers (comma-separated IPs or CIDRs) whose client-certificate headers are believed: the nginx
    # that terminates client-certificate TLS. Empty: the headers are ignored from everyone.
    client_cert_trusted_proxies: str = ""
    client_cert_header: str = "X-SSL-Client-Cert"          # nginx $ssl_client_escaped_cert
    client_cert_verify_header: str = "X-SSL-Client-Verify"  # nginx $ssl_client_verify
    # MLPS level 3: an account with a bound, enabled CA certificate must present it (no SMS fallback).
    login_ca_required_when_bound: bool = False
    # argon2id cost; defaults measured at about 50 ms on the target machine.
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 32768
    argon2_parallelism: int = 1

    sms_provider: str = "sandbox"
    sms_code_ttl_seconds: int = 300
    sms_per_phone_interval_seconds: int = 60
    sms_per_phone_daily: int = 10
    sms_per_ip_hourly: int = 20
    sms_sign_name: str = "江门保租房"
    sandbox_url: str = "http://127.0.0.1:8100"
    aliyun_sms_endpoint: str = "http://127.0.0.1:8100/aliyun/sms/"
    aliyun_access_key_id: str = "LTAI-sandbox"
    aliyun_access_key_secret: str = "sandbox-secret"
    tencent_sms_endpoint: str = "http://127.0.0.1:8100/tencent/sms/"
    tencent_secret_id: str = "AKID-sandbox"
    tencent_secret_key: str = "sandbox-secret"
    tencent_sms_app_id: str = "1400000000"
    tencent_region: str = "ap-guangzhou"
    aliyun_sms_templates: dict[str, str] = {"verify_code": "SMS_480100001", "notice": "SMS_480100002"}
    tencent_sms_templates: dict[str, str] = {"verify_code": "2100001", "notice": "2100002"}

    exchange_keyring: str = str(ROOT / "var" / "keys" / "exchange.json")
    exchange_prefix: str = "arh.exchange"
    exchange_timeout_seconds: float = 10.0
    # Baidu Map web service (INT-15): empty means the sandbox's stand-in at SANDBOX_URL/baidu.
    baidu_map_base_url: str = ""
    # CA bundle for the map service; empty = system trust. Development uses the sandbox's own CA.
    baidu_map_ca_file: str = ""
    sandbox_tls_port: int = 8443
    sandbox_tls_dir: str = str(ROOT / "var" / "keys" / "sandbox-tls")
    baidu_map_ak: str = "sandbox-baidu-ak"
    # The admin's Baidu Map GL JS browser key, read by the admin build; set here too, it lets the
    # pages' Content-Security-Policy allow the map's hosts (app/core/csp.py). Empty: self only.
    vite_baidu_map_ak: str = ""
    # E-seal CA (key + self-signed cert); `python -m app.documents.ca init` makes a development one.
    document_ca_dir: str = str(ROOT / "var" / "ca")

    task_queue: str = "arh.jobs"
    task_queue_type: str = "quorum"  # quorum in production; tests use classic auto-delete queues

    upload_max_mb: int = 20
    file_storage: str = "local"  # local | s3
    file_root: str = str(ROOT / "var" / "files")
    s3_endpoint: str = ""
    s3_bucket: str = "arh-files"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_region: str = "us-east-1"

    audit_retention_months: int = 12
    admin_dist: str = str(ROOT / "admin" / "dist")
    swagger_dist: str = str(ROOT / "admin" / "node_modules" / "swagger-ui-dist")
    trust_forwarded_for: bool = False

    @field_validator("audit_retention_months")
    @classmethod
    def _retention_floor(cls, v: int) -> int:
        if v < 6:
            raise ValueError("审计日志至少保留6个月")
        return v

    def check(self) -> None:
        if self.env == "prod" and (self.pii_key == _DEV_PII_KEY or self.pii_index_key == _DEV_PII_INDEX_KEY):
            raise RuntimeError("production needs its own PII_KEY and PII_INDEX_KEY")


@lru_cache
def get_settings() -> Settings:
    return Settings()
