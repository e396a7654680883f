"""Offline token-count estimate, used when a server does not report `usage`.

The predecessor tool (and our users' habits) count CJK characters at 1.5 characters per
token and everything else at 4 characters per token. We keep that rule exactly so token
counts stay comparable across tools; a record whose count came from here is flagged
`*_tokens_estimated = true` in the trace.
"""

from __future__ import annotations

import re

# CJK ideographs (incl. extension A and compatibility), kana, hangul syllables, CJK
# punctuation and full-width forms, plus the supplementary ideograph planes.
_CJK = re.compile(
    "[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]"
)


def estimate_tokens(text: str) -> int:
    """CJK chars / 1.5 + other chars / 4, rounded half up; at least 1 for non-empty text."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    other = len(text) - cjk
    est = int(cjk / 1.5 + other / 4 + 0.5)
    return max(1, est)


def messages_text(messages: list[dict]) -> str:
    """Concatenate the text a chat request carries, for estimating its input tokens.

    Content may be a string or an OpenAI content-part list; only text parts count.
    """
    parts: list[str] = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            for p in content:
                if isinstance(p, dict) and isinstance(p.get("text"), str):
                    parts.append(p["text"])
    return "\n".join(parts)
