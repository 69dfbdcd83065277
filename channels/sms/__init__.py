"""SMS: one port (SmsProvider), adapters for Aliyun, Tencent Cloud and the local sandbox."""
from .base import SmsProvider, SmsSendError
from .factory import build_provider
from .templates import DEFAULT_SIGN_NAME, TEMPLATES, render_text

__all__ = ["DEFAULT_SIGN_NAME", "TEMPLATES", "SmsProvider", "SmsSendError", "build_provider", "render_text"]
