"""Accounts: the founder and the helpers she adds, each a name and an Argon2 hash of a password.

The founder's password stays where it is configured today (``[dashboard] password``); ``sync_founder``
stores its hash at start and, when the configured password changed, ends her sessions. Changing or
removing a helper ends that helper's sessions. Everything here takes a database session and commits
nothing: callers (pages, the CLI) decide the transaction.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from vkbot.dashboard.models import DashAccount, DashDevice, DashSession
from vkbot.dashboard.settings import MIN_PASSWORD_CHARS

FOUNDER = "founder"
HELPER = "helper"
ROLES = (FOUNDER, HELPER)
MAX_PASSWORD_CHARS = 256  # Argon2 takes any length; a megabyte "password" is only a way to burn CPU
NAME_PATTERN = re.compile(r"[^\W_][\w.-]{0,31}")

# OWASP's Argon2id minimum (19 MiB, 2 passes, 1 lane): about 0.15 s on this 2-core host under load;
# argon2-cffi's default (64 MiB, 3 passes, 4 lanes) took a second there, per sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@cache
def _dummy_hash() -> str:
    """Verified when the name is unknown, so a wrong name costs as long as a wrong password."""
    return _hasher.hash("no such account")


class AccountError(ValueError):
    """A name or password the founder must change; ``key`` is the i18n key that says why."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def normal_name(name: str) -> str:
    """A helper's name as stored: trimmed, lower case; AccountError when it cannot be one."""
    name = name.strip().lower()
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError("dashboard.accounts.error.name")
    if name == FOUNDER:
        raise AccountError("dashboard.accounts.error.taken")
    return name


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError("dashboard.accounts.error.short")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError("dashboard.accounts.error.long")
    return _hasher.hash(password)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify(session: Session, name: str, password: str) -> DashAccount | None:
    """The account when the password is right; the same work is done for an unknown name."""
    account = session.get(DashAccount, name.strip().lower() or FOUNDER)
    if account is None or len(password) > MAX_PASSWORD_CHARS:
        _matches(_dummy_hash(), password)
        return None
    return account if _matches(account.password_hash, password) else None


def end_sessions(session: Session, name: str) -> None:
    session.execute(delete(DashSession).where(col(DashSession.account) == name))


def sync_founder(session: Session, password: str, now: datetime) -> bool:
    """Store the configured password's hash; True when it changed (her old sessions are ended)."""
    account = session.get(DashAccount, FOUNDER)
    if account is not None and _matches(account.password_hash, password):
        return False
    if account is None:
        account = DashAccount(name=FOUNDER, role=FOUNDER, password_hash="", created_at=now, updated_at=now)
    account.password_hash, account.updated_at = hash_password(password), now
    session.add(account)
    end_sessions(session, FOUNDER)
    return True


def add_helper(session: Session, name: str, password: str, now: datetime) -> str:
    name = normal_name(name)
    if session.get(DashAccount, name) is not None:
        raise AccountError("dashboard.accounts.error.taken")
    session.add(
        DashAccount(
            name=name, role=HELPER, password_hash=hash_password(password), created_at=now, updated_at=now
        )
    )
    return name


def _helper(session: Session, name: str) -> DashAccount:
    account = session.get(DashAccount, name.strip().lower())
    if account is None or account.role != HELPER:
        raise LookupError(f"no helper named {name!r}")
    return account


def set_password(session: Session, name: str, password: str, now: datetime) -> None:
    """A helper's new password; whoever was signed in with the old one is signed out."""
    account = _helper(session, name)
    account.password_hash, account.updated_at = hash_password(password), now
    session.add(account)
    end_sessions(session, account.name)


def remove_helper(session: Session, name: str) -> None:
    """The account, its sessions and its trusted browsers are gone at once."""
    account = _helper(session, name)
    end_sessions(session, account.name)
    session.execute(delete(DashDevice).where(col(DashDevice.account) == account.name))
    session.delete(account)


def helpers(session: Session) -> list[DashAccount]:
    return list(
        session.exec(select(DashAccount).where(DashAccount.role == HELPER).order_by(col(DashAccount.name)))
    )
