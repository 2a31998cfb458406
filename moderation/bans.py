"""Repeat offenders: N hidden items within M days make one ban proposal; the founder (or auto-ban) decides."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from moderation.actions import KEY_PREFIX, BanUser
from moderation.models import HIDDEN_STATUSES, ModBanProposal, ModItem

__all__ = [
    "OffenderSettings",
    "accept",
    "ban_for",
    "check_repeat_offender",
    "dismiss",
    "list_proposals",
    "mark_banned",
    "proposal_id_from_key",
]

# VK refuses an end_date more than a year ahead.
MAX_BAN_DAYS = 365
REASON_SPAM, REASON_VERBAL_ABUSE = 1, 2


class OffenderSettings(Protocol):
    """What this module reads of ModerationSettings."""

    @property
    def repeat_offender_count(self) -> int: ...
    @property
    def repeat_offender_days(self) -> int: ...
    @property
    def auto_ban(self) -> bool: ...
    @property
    def ban_days(self) -> int: ...


# Built once: a statement reused keeps its cache key, which SQLAlchemy otherwise recomputes per call.
_PROPOSALS = (
    select(ModBanProposal)
    .where(ModBanProposal.author_id == bindparam("author_id"))
    .order_by(col(ModBanProposal.id))
)
_HIDDEN_SINCE = select(ModItem.id, ModItem.categories).where(
    ModItem.author_id == bindparam("author_id"),
    col(ModItem.status).in_(HIDDEN_STATUSES),
    ModItem.created_at >= bindparam("since"),
)
_HIDDEN = _HIDDEN_SINCE.order_by(col(ModItem.id))
_HIDDEN_AFTER = _HIDDEN_SINCE.where(ModItem.created_at > bindparam("decided")).order_by(col(ModItem.id))


def _proposals(session: Session, author_id: int) -> list[ModBanProposal]:
    """The author's proposals (a handful at most), oldest first: the open one and the last decision."""
    return list(session.exec(_PROPOSALS, params={"author_id": author_id}))


def _hidden_items(
    session: Session, author_id: int, since: datetime, decided: datetime | None
) -> list[tuple[int | None, list[str]]]:
    """Ids and categories of the author's hidden items since ``since`` (and after ``decided``)."""
    stmt = _HIDDEN if decided is None else _HIDDEN_AFTER
    rows = session.exec(stmt, params={"author_id": author_id, "since": since, "decided": decided})
    return [(item_id, list(categories)) for item_id, categories in rows]


def check_repeat_offender(
    session: Session, author_id: int, settings: OffenderSettings, at: datetime
) -> ModBanProposal | None:
    """After an item of ``author_id`` was hidden: a new proposal once the threshold is reached, else None.

    An open proposal only gathers the new items. With ``auto_ban`` the new proposal is accepted at
    once; ``ban_for(proposal)`` then gives the ban to send.
    """
    if author_id == 0:
        return None
    since = at - timedelta(days=settings.repeat_offender_days)
    proposals = _proposals(session, author_id)
    # Items before the last decision were already judged; they do not count again.
    decided = max((p.decided_at for p in proposals if p.decided_at is not None), default=None)
    items = _hidden_items(session, author_id, since, decided)
    ids = [item_id for item_id, _ in items if item_id is not None]
    existing = next((p for p in proposals if p.status == "proposed"), None)
    if existing is not None:
        existing.item_ids = sorted({*existing.item_ids, *ids})
        session.add(existing)
        return None
    if len(ids) < settings.repeat_offender_count:
        return None
    spam_only = all(categories == ["spam"] for _, categories in items)
    proposal = ModBanProposal(
        author_id=author_id,
        item_ids=ids,
        ban_days=min(settings.ban_days, MAX_BAN_DAYS),
        reason_code=REASON_SPAM if spam_only else REASON_VERBAL_ABUSE,
        reason=f"{len(ids)} hidden in {settings.repeat_offender_days} days",
        created_at=at,
    )
    session.add(proposal)
    session.flush()
    if settings.auto_ban:
        _accept(proposal, at, "auto_ban")
    return proposal


def _accept(proposal: ModBanProposal, at: datetime, by: str) -> None:
    proposal.status = "accepted"
    proposal.decided_at = at
    proposal.decided_by = by
    proposal.end_date = at + timedelta(days=min(proposal.ban_days, MAX_BAN_DAYS))


def ban_for(proposal: ModBanProposal) -> BanUser | None:
    """The ban to send for an accepted proposal (None for any other status)."""
    if proposal.status != "accepted" or proposal.id is None:
        return None
    return BanUser(
        user_id=proposal.author_id,
        end_date=proposal.end_date,
        reason_code=proposal.reason_code,
        comment="",  # VK may show the comment to the banned person; abuse gets no answer
        key=f"{KEY_PREFIX}:ban:{proposal.id}",
    )


def proposal_id_from_key(key: str) -> int | None:
    parts = key.split(":")
    if len(parts) == 3 and parts[0] == KEY_PREFIX and parts[1] == "ban" and parts[2].isdigit():
        return int(parts[2])
    return None


def _get(session: Session, proposal_id: int) -> ModBanProposal:
    proposal = session.get(ModBanProposal, proposal_id)
    if proposal is None:
        raise LookupError(f"no ban proposal {proposal_id}")
    return proposal


def accept(session: Session, proposal_id: int, at: datetime, by: str = "founder") -> BanUser:
    """The founder agrees: the proposal is accepted and its ban returned (again, if asked twice)."""
    proposal = _get(session, proposal_id)
    if proposal.status == "proposed":
        _accept(proposal, at, by)
        session.add(proposal)
        session.flush()
    ban = ban_for(proposal)
    if ban is None:
        raise ValueError(f"ban proposal {proposal_id} is {proposal.status}, not open")
    return ban


def dismiss(session: Session, proposal_id: int, at: datetime, by: str = "founder") -> ModBanProposal:
    """The founder declines; items so far no longer count towards a new proposal."""
    proposal = _get(session, proposal_id)
    if proposal.status != "proposed":
        raise ValueError(f"ban proposal {proposal_id} is {proposal.status}, not open")
    proposal.status, proposal.decided_at, proposal.decided_by = "dismissed", at, by
    session.add(proposal)
    return proposal


def mark_banned(session: Session, proposal_id: int) -> None:
    """The outbox reports that VK carried out the ban."""
    proposal = _get(session, proposal_id)
    if proposal.status == "accepted":
        proposal.status = "banned"
        session.add(proposal)


def list_proposals(
    session: Session, status: str | None = "proposed", limit: int = 100
) -> list[ModBanProposal]:
    """Proposals newest first; ``status=None`` lists all."""
    stmt = select(ModBanProposal)
    if status is not None:
        stmt = stmt.where(ModBanProposal.status == status)
    return list(session.exec(stmt.order_by(col(ModBanProposal.id).desc()).limit(limit)))
