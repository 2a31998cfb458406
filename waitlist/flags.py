"""The founder's switches, stored as named flags: sign-ups open or closed and when they may reopen."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from waitlist import known
from waitlist.models import WlFlag

__all__ = ["reopen_hint", "set_flag", "signups_open"]

SIGNUPS_OPEN = "signups_open"
REOPEN_HINT = "signups_reopen_hint"


def get_flag(session: Session, name: str) -> str | None:
    if known.is_absent(session, "flag", name):
        return None
    row = session.get(WlFlag, name)
    return row.value if row else None


def set_flag(session: Session, name: str, value: str, at: datetime) -> None:
    known.now_present(session, "flag", name)
    row = session.get(WlFlag, name) or WlFlag(name=name, updated_at=at)
    row.value, row.updated_at = value, at
    session.add(row)


def signups_open(session: Session) -> bool:
    return get_flag(session, SIGNUPS_OPEN) != "0"


def reopen_hint(session: Session) -> str:
    return get_flag(session, REOPEN_HINT) or ""
