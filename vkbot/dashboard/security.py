"""The login form's CSRF token, and the cookies' names and flags.

Sessions themselves live in the database (``sessions``); the only token signed here is the login
form's: a MAC of a random nonce kept in a short-lived cookie, so another site cannot post a password
through her browser (login CSRF). It needs no storage and its key may be per process (a restart only
costs a form reload).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SESSION_COOKIE = "vkbot_session"
LOGIN_COOKIE = "vkbot_login"


def _mac(key: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(key, f"{purpose}\0{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def derive_key(secret: str) -> bytes:
    """The signing key: from the configured secret, or a random per-process one."""
    base = secret.encode() if secret else secrets.token_bytes(32)
    return hmac.new(base, b"vkbot.dashboard.login", hashlib.sha256).digest()


class Signer:
    """Issues and checks the login form's tokens; the key never leaves this object."""

    def __init__(self, key: bytes):
        self._key = key

    def __repr__(self) -> str:  # never show the key, even in a traceback's locals
        return "Signer(<key hidden>)"

    def login_token(self, nonce: str) -> str:
        return _mac(self._key, "login", nonce)

    def login_ok(self, nonce: str, token: str) -> bool:
        return bool(nonce) and bool(token) and hmac.compare_digest(token, self.login_token(nonce))


def tokens_equal(given: str, expected: str) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def cookie_flags(secure: bool) -> dict[str, object]:
    """HttpOnly (no script may read them), SameSite=Strict (no other site's request carries them)."""
    return {"httponly": True, "samesite": "Strict", "path": "/", "secure": secure}
