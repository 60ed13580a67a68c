"""Pseudonyms for the people and enterprises in an export: keyed HMAC, the same input always gives
the same pseudonym under the same key, so an analyst can still count trips per applicant, cases
per enterprise and hand-offs between clerks without learning who they are.

The key is EVENTLOG_PSEUDONYM_KEY, or one derived from SECRET_KEY when that is unset: exports
made with the same key can be joined with each other; ``Pseudonyms.unlinkable()`` draws a fresh
key that is never stored, for an export that must not be joinable with any other.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

# 16 hex digits (64 bits): no collision to expect below billions of distinct people.
DIGITS = 16


def configured_key() -> bytes:
    key = getattr(settings, "EVENTLOG_PSEUDONYM_KEY", "")
    if key:
        return key.encode()
    # A key of its own, so that pseudonyms are not a function of the session-signing key itself.
    return hashlib.sha256(b"binglian eventlog pseudonyms\0" + settings.SECRET_KEY.encode()).digest()


class Pseudonyms:
    """Values as an export shows them: pseudonyms by default, clear text only when ``key`` is None."""

    def __init__(self, key: bytes | None):
        self.key = key
        self._staff: dict[str, str] = {}  # one entry per clerk: bounded by the staff, not the log

    @classmethod
    def configured(cls) -> Pseudonyms:
        return cls(configured_key())

    @classmethod
    def unlinkable(cls) -> Pseudonyms:
        return cls(secrets.token_bytes(32))

    @classmethod
    def clear_text(cls) -> Pseudonyms:
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self.key is not None

    def token(self, kind: str, value: str) -> str:
        digest = hmac.new(self.key, f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{digest[:DIGITS]}"

    def staff(self, username: str | None) -> str:
        if not username:
            return ""
        if not self.enabled:
            return username
        if username not in self._staff:
            self._staff[username] = self.token("staff", username)
        return self._staff[username]

    def applicant(self, id_number: str, name: str) -> str:
        """The applicant is the resident ID (one person, however the name was typed); the name
        stands in only where no ID was taken."""
        return self._party("applicant", id_number or name)

    def enterprise(self, uscc: str, name: str) -> str:
        return self._party("enterprise", uscc or name)

    def licence(self, number: str) -> str:
        # A licence number is printed on the certificate and verifiable by anyone: it names the holder.
        return self._party("licence", number)

    def _party(self, kind: str, value: str) -> str:
        if not value:
            return ""
        return self.token(kind, value) if self.enabled else f"{kind}:{value}"
