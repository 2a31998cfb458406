"""Password check, signed session cookies, CSRF tokens and a slow-down for failed logins.

A session cookie is ``<payload>.<mac>``: the payload (base64 JSON) holds an expiry and a random session
id, the MAC is HMAC-SHA256 under a key derived from a secret and the password, so changing the password
ends every session. CSRF tokens are MACs of the session id (or, on the login form, of a random nonce
kept in a short-lived cookie): a form from another site cannot know them, and they need no storage.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field

from vkbot.clock import Clock, SystemClock

SESSION_COOKIE = "vkbot_session"
LOGIN_COOKIE = "vkbot_login"


def _mac(key: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(key, f"{purpose}\0{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def derive_key(secret: str, password: str) -> bytes:
    """The signing key: the secret (or a random per-process one) bound to the password."""
    base = secret.encode() if secret else secrets.token_bytes(32)
    return hmac.new(base, b"vkbot.dashboard.session\0" + password.encode(), hashlib.sha256).digest()


def password_matches(given: str, expected: str) -> bool:
    """Constant time, whatever the lengths: compare digests, not the strings."""
    return hmac.compare_digest(
        hashlib.sha256(given.encode()).digest(), hashlib.sha256(expected.encode()).digest()
    )


@dataclass(frozen=True)
class Session:
    sid: str
    expires_at: float


class Signer:
    """Issues and checks session cookies and CSRF tokens; the key never leaves this object."""

    def __init__(self, key: bytes, lifetime_s: float, clock: Clock | None = None):
        self._key = key
        self._lifetime_s = lifetime_s
        self._clock = clock or SystemClock()
        # Sessions ended by signing out, until they would have expired anyway (in memory: a restart
        # without a configured secret key ends every session; with one, a signed-out cookie copied
        # before the restart would work again until its expiry).
        self._ended: dict[str, float] = {}

    def __repr__(self) -> str:  # never show the key, even in a traceback's locals
        return "Signer(<key hidden>)"

    def new_session(self) -> str:
        payload = json.dumps(
            {"sid": secrets.token_urlsafe(16), "exp": int(self._seconds() + self._lifetime_s)}
        )
        encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{encoded}.{_mac(self._key, 'session', encoded)}"

    def session(self, cookie: str | None) -> Session | None:
        """The session a cookie carries, or None when it is missing, forged or expired."""
        if not cookie or cookie.count(".") != 1:
            return None
        encoded, mac = cookie.split(".")
        if not hmac.compare_digest(mac, _mac(self._key, "session", encoded)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
            sid, exp = str(data["sid"]), float(data["exp"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
        return Session(sid, exp) if exp > self._seconds() and sid not in self._ended else None

    def end(self, session: Session) -> None:
        """Sign out: this session's cookie is refused from now on, even if it was copied."""
        now = self._seconds()
        self._ended = {sid: exp for sid, exp in self._ended.items() if exp > now}
        self._ended[session.sid] = session.expires_at

    def _seconds(self) -> float:
        return self._clock.now().timestamp()

    def csrf_token(self, sid: str) -> str:
        return _mac(self._key, "csrf", sid)

    def csrf_ok(self, sid: str, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token, self.csrf_token(sid))

    def login_token(self, nonce: str) -> str:
        return _mac(self._key, "login", nonce)

    def login_ok(self, nonce: str, token: str) -> bool:
        return bool(nonce) and bool(token) and hmac.compare_digest(token, self.login_token(nonce))


@dataclass
class LoginThrottle:
    """Failed logins per client address: each answer is slowed a little more; many in a row are refused.

    In memory: a restart forgets them, which costs a guesser a restart of the suite she would notice.
    """

    step_s: float = 0.5
    max_delay_s: float = 5.0
    max_failures: int = 10
    window_s: float = 600.0
    clock: Clock = field(default_factory=SystemClock)
    _failures: dict[str, list[float]] = field(default_factory=dict)

    def _recent(self, address: str) -> list[float]:
        since = self.clock.now().timestamp() - self.window_s
        recent = [t for t in self._failures.get(address, []) if t > since]
        if recent:
            self._failures[address] = recent
        else:
            self._failures.pop(address, None)
        return recent

    def locked(self, address: str) -> bool:
        return len(self._recent(address)) >= self.max_failures

    def failed(self, address: str) -> float:
        """Record a failure; returns how long to wait before answering."""
        recent = self._recent(address)
        recent.append(self.clock.now().timestamp())
        self._failures[address] = recent
        return min(self.step_s * len(recent), self.max_delay_s)

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)
