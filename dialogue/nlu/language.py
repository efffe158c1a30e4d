"""Which language a message is written in (kefu answers in that language)."""

from __future__ import annotations

import re

__all__ = ["detect_language", "has_cjk"]

# CJK Unified Ideographs with extensions A-F and the compatibility block. Kana and Hangul
# are left out on purpose: kefu's second language is Chinese.
_CJK = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f]"
)


def has_cjk(text: str) -> bool:
    """True when ``text`` contains at least one Chinese character."""
    return _CJK.search(text) is not None


def detect_language(text: str) -> str:
    """``"zh"`` when the text has any Chinese character (so "Aurora X2 有银色的吗?" is zh),
    else ``"en"``."""
    return "zh" if has_cjk(text) else "en"
