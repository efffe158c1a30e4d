"""HMAC-SHA256 signatures of webhook bodies (pure).

The receiver recomputes ``hex(hmac_sha256(secret, f"{timestamp}.{body}"))`` and compares it
with the ``X-Kefu-Signature: sha256=<hex>`` header in constant time, and rejects
timestamps too far from its clock (replays). See docs/webhooks.md.
"""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: int, body: bytes, signature: str, *, now: int, tolerance: int = 300
) -> bool:
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
