"""Noto CJK fonts (Debian fonts-noto-cjk): found through fontconfig, as WeasyPrint finds them."""
from __future__ import annotations

import subprocess
from functools import lru_cache

from app.core.errors import AppError

SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
# Template default: serif (宋体-like) for body text, as GB/T 9704 official documents use.
FONT_STACK = f'"{SERIF}", "{SANS}", serif'


class FontMissing(AppError):
    status, code, message = 503, "FONT_MISSING", "服务器缺少中文字体，暂不能生成文书"


@lru_cache
def font_file(family: str = SERIF, bold: bool = True) -> tuple[str, int]:
    """(path, index in the .ttc) of a Noto CJK face; refuses fontconfig's fallback to another family."""
    pattern = f"{family}:{'bold' if bold else 'regular'}"
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{family}", pattern],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise FontMissing("找不到 fontconfig（fc-match），请运行 make sysdeps") from e
    path, index, families = (out.split("\n") + ["", "", ""])[:3]
    if family not in families.split(","):
        raise FontMissing(f"缺少中文字体 {family}（Debian 软件包 fonts-noto-cjk），请运行 make sysdeps")
    return path, int(index or 0)
