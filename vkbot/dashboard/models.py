"""The dashboard's own tables: accounts, server-side sessions, trusted devices, sign-in failures, audit.

Secrets are never stored as given: passwords as Argon2 hashes, session and device tokens as SHA-256
hashes (a copy of the database does not let anyone in).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from dbtypes import UTCDateTime


def _dt(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class DashAccount(SQLModel, table=True):
    """The founder (her password comes from the config, synced at start) or a helper she added."""

    __tablename__ = "dash_account"

    name: str = Field(primary_key=True, max_length=32)  # lower case; "founder" is hers
    role: str = Field(max_length=16)  # "founder" | "helper"
    password_hash: str = Field(max_length=255)
    created_at: datetime = _dt()
    updated_at: datetime = _dt()


class DashSession(SQLModel, table=True):
    """A signed-in browser: deleting the row signs it out, whatever the cookie says, across restarts."""

    __tablename__ = "dash_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    account: str = Field(max_length=32, index=True)
    csrf: str = Field(max_length=64)  # the token its forms carry
    created_at: datetime = _dt()
    expires_at: datetime = _dt(index=True)


class DashDevice(SQLModel, table=True):
    """A browser that signed in to ``account`` before (OWASP device cookie; see ``lockout``)."""

    __tablename__ = "dash_device"

    token_hash: str = Field(primary_key=True, max_length=64)
    account: str = Field(max_length=32, index=True)
    created_at: datetime = _dt()


class DashLoginFailure(SQLModel, table=True):
    """One wrong password, counted against ``key``: ``addr:<ip>``, ``acct:<name>`` or ``dev:<hash>``."""

    __tablename__ = "dash_login_failure"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100, index=True)
    at: datetime = _dt(index=True)


class DashAudit(SQLModel, table=True):
    """Who did what in the dashboard: every form sent (accepted or refused), sign-ins, texts revealed."""

    __tablename__ = "dash_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _dt(index=True)
    actor: str = Field(max_length=64)  # "founder", "assistant:<name>", or "-" before signing in
    action: str = Field(max_length=120)  # "POST /review/3/restore", "sign_in", "reveal /review/3"
    detail: str = Field(default="", max_length=200)
    status: int
    address: str = Field(default="", max_length=64)
