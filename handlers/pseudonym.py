"""Pseudonymous user references: a keyed HMAC of the channel's user id.

Analytics and the interaction log only ever see this reference. Without the key it cannot be
turned back into a Telegram id, and the one table that links the two (chat links) is erased on
request — after that, what remains is anonymous.
"""

from __future__ import annotations

import hashlib
import hmac


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonymisation key must be at least 16 bytes")
        self._key = key

    def user_ref(self, channel: str, user_id: int) -> str:
        message = f"{channel}:{user_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def digest(self, text: str) -> str:
        """A short keyed digest of `text` (another domain than `user_ref`): for keys that must
        tell apart things named by Telegram ids without storing the ids."""
        message = f"digest:{text}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:24]
