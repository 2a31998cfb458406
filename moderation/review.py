"""Reviewing the quarantine without being hurt by it: counts first, one item at a time, corrections as labels.

``by`` names who reviewed: "founder" or "assistant:<name>" (a helper may review on her behalf).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlmodel import Session, col, select

import i18n
from moderation.actions import Effect, RemovalSettings, actions_for, restore_actions
from moderation.classifier import Classification
from moderation.models import HIDDEN_STATUSES, ModBanProposal, ModItem, ModLabel
from moderation.policy import Verdict
from moderation.records import record_verdict
from moderation.subject import Subject

__all__ = [
    "Revealed",
    "category_label",
    "confirm",
    "daily_digest",
    "get_item",
    "hide",
    "list_items",
    "quarantine_summary",
    "record_shown",
    "restore",
    "reveal_one",
]

MAX_BY = 64


@dataclass(frozen=True, slots=True)
class Revealed:
    """One hidden item, its category first: she decides whether to read on before seeing the words."""

    item_id: int
    category: str  # readable label of the main category, in the chosen language
    categories: tuple[str, ...]
    channel: str
    created_at: datetime
    text: str


def category_label(category: str, lang: str = "ru") -> str:
    key = "quarantine.other" if category == "other" else f"moderation.category.{category}"
    return i18n.text(key, lang) if i18n.has(key, lang) else category


def get_item(session: Session, *, item_id: int | None = None, source_key: str | None = None) -> ModItem:
    if item_id is not None:
        item = session.get(ModItem, item_id)
    elif source_key is not None:
        item = session.exec(select(ModItem).where(ModItem.source_key == source_key)).first()
    else:
        raise ValueError("give item_id or source_key")
    if item is None:
        raise LookupError(f"no moderated item {item_id if item_id is not None else source_key!r}")
    return item


def _label(session: Session, item: ModItem, label: str, by: str, at: datetime) -> ModLabel:
    assert item.id is not None
    row = ModLabel(
        item_id=item.id,
        label=label,
        text=item.text,
        scores=list(item.scores),
        verdict={
            "status": item.status,
            "categories": list(item.categories),
            "reasons": list(item.reasons),
            "tier": item.tier,
            "learned_score": item.learned_score,
            "model_version": item.model_version,
        },
        created_at=at,
        by=by[:MAX_BY],
    )
    session.add(row)
    item.reviewed_at, item.reviewed_by = at, by[:MAX_BY]
    session.add(item)
    session.flush()
    assert row.id is not None
    return row


def restore(session: Session, item_id: int, by: str, at: datetime, *, group_id: int) -> list[Effect]:
    """Hidden by mistake: back to the inbox (or the wall), labelled "not abusive"."""
    item = get_item(session, item_id=item_id)
    if item.status not in (*HIDDEN_STATUSES, "flagged"):
        raise ValueError(f"item {item_id} is {item.status}; only hidden or flagged items can be restored")
    label = _label(session, item, "not_abusive", by, at)
    assert label.id is not None
    effects = restore_actions(item, item.removal_state, group_id=group_id, generation=label.id)
    item.status = "restored"
    item.removal_state = "restored" if effects else None
    _drop_from_open_proposals(session, item, at)
    session.add(item)
    return effects


def _drop_from_open_proposals(session: Session, item: ModItem, at: datetime) -> None:
    """A restored item is no offence: it leaves any open proposal (which closes if nothing is left)."""
    stmt = select(ModBanProposal).where(
        ModBanProposal.author_id == item.author_id, ModBanProposal.status == "proposed"
    )
    for proposal in session.exec(stmt):
        remaining = [i for i in proposal.item_ids if i != item.id]
        if remaining != proposal.item_ids:
            proposal.item_ids = remaining
            if not remaining:
                proposal.status, proposal.decided_at, proposal.decided_by = "dismissed", at, "restored_items"
            session.add(proposal)


def confirm(session: Session, item_id: int, by: str, at: datetime) -> ModLabel:
    """Hidden rightly: a label "abusive"; the item stays out of sight."""
    item = get_item(session, item_id=item_id)
    return _label(session, item, "abusive", by, at)


def hide(
    session: Session,
    *,
    by: str,
    at: datetime,
    settings: RemovalSettings,
    group_id: int,
    item_id: int | None = None,
    source_key: str | None = None,
) -> list[Effect]:
    """A shown message or comment she finds abusive: labelled, out of sight, removed like a quarantined one.

    The item must be recorded first (an ``ok`` message is recorded by the caller with its verdict).
    """
    item = get_item(session, item_id=item_id, source_key=source_key)
    already_hidden = item.status in HIDDEN_STATUSES
    label = _label(session, item, "abusive", by, at)
    if already_hidden:
        return []
    assert label.id is not None
    item.status = "hidden_by_founder"
    effects = actions_for(item, settings, group_id=group_id, generation=label.id)
    item.removal_state = "pending" if effects else "skipped"
    session.add(item)
    return effects


def record_shown(session: Session, subject: Subject, at: datetime) -> ModItem:
    """A message the filter let through (so never stored), recorded as "ok" because she wants it hidden."""
    verdict = Verdict("ok", (), (), urgent=False, answer=True, evidence=False)
    return record_verdict(session, subject, verdict, Classification(), at)


def _day_of(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def quarantine_summary(session: Session, days: int = 7, *, now: datetime, tz: tzinfo = UTC) -> dict[str, Any]:
    """Counts only, never a word of the texts: hidden items per day and category, open proposals."""
    first_day = _day_of(now, tz) - timedelta(days=days - 1)
    since = datetime.combine(first_day, time(), tz).astimezone(UTC)
    stmt = select(ModItem.created_at, ModItem.categories, ModItem.urgent).where(
        col(ModItem.status).in_(HIDDEN_STATUSES), ModItem.created_at >= since
    )
    per_day: dict[date, Counter[str]] = {first_day + timedelta(days=i): Counter() for i in range(days)}
    totals: Counter[str] = Counter()
    hidden = 0
    for created_at, categories, _urgent in session.exec(stmt):
        day = _day_of(created_at, tz)
        main = (categories or ["other"])[0]
        per_day.setdefault(day, Counter())[main] += 1
        totals[main] += 1
        hidden += 1
    proposals = session.exec(select(ModBanProposal.id).where(ModBanProposal.status == "proposed")).all()
    manual = session.exec(
        select(ModItem.id).where(
            ModItem.channel == "comment",
            col(ModItem.status).in_(HIDDEN_STATUSES),
            ModItem.removal_state == "failed",
        )
    ).all()
    return {
        "days": [
            {"day": day.isoformat(), "total": sum(c.values()), "by_category": dict(sorted(c.items()))}
            for day, c in sorted(per_day.items())
        ],
        "hidden": hidden,
        "by_category": dict(totals.most_common()),
        "ban_proposals": len(proposals),
        "manual_removals": len(manual),
    }


def hidden_by_category(session: Session) -> Counter[str]:
    """How many items are hidden per main category (one column read, no rows built)."""
    stmt = select(ModItem.categories).where(col(ModItem.status).in_(HIDDEN_STATUSES))
    return Counter((categories or ["other"])[0] for categories in session.exec(stmt))


def list_items(
    session: Session,
    *,
    show_text: bool,
    category: str | None = None,
    limit: int = 50,
    statuses: tuple[str, ...] = HIDDEN_STATUSES,
) -> list[dict[str, Any]]:
    """Hidden items newest first, as plain dicts; the text only when asked for."""
    stmt = select(ModItem).where(col(ModItem.status).in_(statuses))
    rows: list[dict[str, Any]] = []
    # Category is filtered here, not in SQL: JSON containment differs between SQLite and PostgreSQL.
    for item in session.exec(stmt.order_by(col(ModItem.id).desc())):
        if category is not None and category not in item.categories:
            continue
        row: dict[str, Any] = {
            "id": item.id,
            "at": item.created_at.isoformat(),
            "channel": item.channel,
            "category": (item.categories or ["other"])[0],
            "categories": list(item.categories),
            "status": item.status,
            "author_id": item.author_id,
            "evidence": item.evidence,
            "removal": item.removal_state,
        }
        if show_text:
            row["text"] = item.text
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def reveal_one(session: Session, item_id: int, lang: str = "ru") -> Revealed:
    item = get_item(session, item_id=item_id)
    assert item.id is not None
    main = (item.categories or ["other"])[0]
    return Revealed(
        item_id=item.id,
        category=category_label(main, lang),
        categories=tuple(item.categories),
        channel=item.channel,
        created_at=item.created_at,
        text=item.text,
    )


def daily_digest(session: Session, day: date, *, lang: str = "ru", tz: tzinfo = UTC) -> str:
    """A short message for the founder about one day: counts by category, never an abusive word."""
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = start + timedelta(days=1)
    stmt = select(ModItem.categories, ModItem.status, ModItem.urgent).where(
        ModItem.created_at >= start, ModItem.created_at < end
    )
    hidden: Counter[str] = Counter()
    flagged = urgent = 0
    for categories, status, is_urgent in session.exec(stmt):
        if status in HIDDEN_STATUSES:
            hidden[(categories or ["other"])[0]] += 1
        elif status == "flagged":
            flagged += 1
        urgent += int(is_urgent)
    proposals = len(session.exec(select(ModBanProposal.id).where(ModBanProposal.status == "proposed")).all())
    lines = [i18n.text("quarantine.digest.title", lang, day=day.isoformat())]
    if not hidden:
        lines.append(i18n.text("quarantine.digest.none_hidden", lang))
    else:
        lines.append(i18n.text("quarantine.digest.hidden", lang, count=sum(hidden.values())))
        lines += [f"  {category_label(c, lang)}: {n}" for c, n in hidden.most_common()]
    if urgent:
        lines.append(i18n.text("quarantine.digest.urgent", lang, count=urgent))
    if flagged:
        lines.append(i18n.text("quarantine.digest.flagged", lang, count=flagged))
    if proposals:
        lines.append(i18n.text("quarantine.digest.proposals", lang, count=proposals))
    return "\n".join(lines)
