"""Server-side sessions: the cookie is a random token, the database holds its hash, the account and
the CSRF token of its forms. Signing out deletes the row, so the cookie is dead for good, restart or not;
no signing key is involved, so sessions also survive a restart without a configured secret."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from vkbot.dashboard.models import DashAccount, DashSession

# 256 bits: cannot be guessed, so it needs no MAC; the cookie's length bounds what we hash.
TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 64


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, account: str, now: datetime, lifetime: timedelta) -> str:
    """A new session for ``account``; returns the cookie's token (only its hash is stored)."""
    session.execute(delete(DashSession).where(col(DashSession.expires_at) <= now))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        DashSession(
            token_hash=token_hash(token),
            account=account,
            csrf=secrets.token_urlsafe(TOKEN_BYTES),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def lookup(session: Session, token: str | None, now: datetime) -> tuple[DashSession, DashAccount] | None:
    """The live session a cookie names and its account; None when unknown, ended or expired."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    row = session.get(DashSession, token_hash(token))
    if row is None or row.expires_at <= now:
        return None
    account = session.get(DashAccount, row.account)
    return (row, account) if account is not None else None


def end(session: Session, token_hash_: str) -> None:
    session.execute(delete(DashSession).where(col(DashSession.token_hash) == token_hash_))
