"""Sign-in lockouts that survive restarts and cannot be used to lock the founder out.

Before: ten wrong passwords from one address refused the right one too for ten minutes, so anyone
behind her address (or anyone at all, once a proxy is in front) could keep her out; and a restart
forgot the count. We use OWASP's *device cookie* scheme ("Slow Down Online Guessing Attacks with
Device Cookies"), persisted in the database:

- A browser that signed in to an account successfully gets a device cookie: a random token whose
  hash is stored with the account (``dash_device``). It cannot be forged or guessed.
- An attempt that presents a valid device cookie for the account it names is judged only by that
  device's own failures (``dev:<hash>``): the lockouts of untrusted clients do not apply to it. So a
  guesser, who has no device cookie of hers, can lock out *untrusted* attempts on her account and
  his own address, but never her own browser.
- Attempts without one count against the account (``acct:<name>``) and the client's address
  (``addr:<ip>``, the real client behind a trusted proxy); either reaching ``max_failures`` within
  ``window_s`` refuses further untrusted attempts until the window passes.
- A device that fails ``max_failures`` times is locked like an untrusted client (a stolen device
  cookie buys only as many guesses as anyone gets).
- Every failure is also answered a little more slowly (``delay_s``).

Rejected alternatives: a CAPTCHA needs a script (the CSP forbids them) or a third party; a per-
account lock alone is exactly the lock-out attack; per-address alone lets a botnet guess freely.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from vkbot.dashboard.models import DashDevice, DashLoginFailure
from vkbot.dashboard.sessions import MAX_TOKEN_CHARS, token_hash

DEVICE_COOKIE = "vkbot_device"
DEVICE_DAYS = 180


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 10
    window_s: float = 600.0
    step_s: float = 0.5
    max_delay_s: float = 5.0


@dataclass(frozen=True)
class Attempt:
    """Who is trying: the account named, the client's address, and the device, when it is trusted."""

    account: str
    address: str
    device: str | None  # the device token's hash, when it is a live device cookie of this account

    @property
    def keys(self) -> tuple[str, ...]:
        if self.device is not None:
            return (f"dev:{self.device}",)
        return (f"acct:{self.account}"[:100], f"addr:{self.address}"[:100])


def trusted_device(session: Session, cookie: str | None, account: str, now: datetime) -> str | None:
    """The device's hash when ``cookie`` is a live device cookie of ``account``."""
    if not cookie or len(cookie) > MAX_TOKEN_CHARS:
        return None
    row = session.get(DashDevice, token_hash(cookie))
    if row is None or row.account != account or row.created_at <= now - timedelta(days=DEVICE_DAYS):
        return None
    return row.token_hash


def _failures(session: Session, key: str, since: datetime) -> int:
    query = select(func.count()).where(col(DashLoginFailure.key) == key, col(DashLoginFailure.at) > since)
    return int(session.exec(query).one())


def locked(session: Session, attempt: Attempt, now: datetime, policy: LockoutPolicy) -> bool:
    since = now - timedelta(seconds=policy.window_s)
    return any(_failures(session, key, since) >= policy.max_failures for key in attempt.keys)


def failed(session: Session, attempt: Attempt, now: datetime, policy: LockoutPolicy) -> float:
    """Record a wrong password; returns how long to wait before answering."""
    since = now - timedelta(seconds=policy.window_s)
    session.execute(delete(DashLoginFailure).where(col(DashLoginFailure.at) <= since))
    session.add_all(DashLoginFailure(key=key, at=now) for key in attempt.keys)
    session.flush()
    count = max(_failures(session, key, since) for key in attempt.keys)
    return min(policy.step_s * count, policy.max_delay_s)


def succeeded(session: Session, attempt: Attempt, now: datetime) -> str | None:
    """Forget this client's failures; a new device cookie's token when it had no trusted one."""
    session.execute(delete(DashLoginFailure).where(col(DashLoginFailure.key).in_(attempt.keys)))
    if attempt.device is not None:
        return None
    stale = now - timedelta(days=DEVICE_DAYS)
    session.execute(delete(DashDevice).where(col(DashDevice.created_at) <= stale))
    token = secrets.token_urlsafe(32)
    session.add(DashDevice(token_hash=token_hash(token), account=attempt.account, created_at=now))
    return token
