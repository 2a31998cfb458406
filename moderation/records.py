"""Storing verdicts as ModItems (idempotent per event), what follows from a hidden one, and its removal state.

The pipeline calls ``record_verdict`` for every verdict that is not ``ok`` (ok messages are not copied:
a relative's words stay only in the event store), then ``effects_for_new_item`` for the effects to
enqueue. Outbox outcomes come back through ``mark_removal``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from moderation.actions import Effect, actions_for
from moderation.bans import OffenderSettings, ban_for, check_repeat_offender
from moderation.classifier import Classification
from moderation.models import HIDDEN_STATUSES, MAX_TEXT, ModItem
from moderation.policy import Verdict
from moderation.subject import Subject

__all__ = [
    "ItemSettings",
    "bounded_text",
    "effects_for_new_item",
    "hidden_source_keys",
    "is_hidden",
    "manual_removal_list",
    "mark_removal",
    "mark_restore",
    "note_absent",
    "record_verdict",
    "record_with_effects",
    "review_source_keys",
    "signals_json",
]

_RANK = {"ok": 0, "flagged": 1, "quarantined": 2}
MAX_NOTE = 500


class ItemSettings(OffenderSettings, Protocol):
    @property
    def delete_quarantined_from_vk_inbox(self) -> bool: ...


def bounded_text(text: str) -> tuple[str, bool]:
    """The text cut to ``MAX_TEXT`` characters, and whether it was cut."""
    return (text[:MAX_TEXT], True) if len(text) > MAX_TEXT else (text, False)


def signals_json(classification: Classification) -> list[dict[str, Any]]:
    return [
        {"category": s.category, "source": s.source, "score": round(s.score, 4), "rule": s.rule[:128]}
        for s in classification.signals
    ]


def _apply(item: ModItem, verdict: Verdict, classification: Classification) -> None:
    item.status = verdict.status
    item.categories = list(verdict.categories)
    item.reasons = list(verdict.reasons)
    item.urgent = verdict.urgent
    item.evidence = verdict.evidence
    item.scores = signals_json(classification)
    item.tier = verdict.tier or None
    if verdict.learned_score is not None:  # a later Detoxify verdict keeps the learned score it lacks
        item.learned_score, item.model_version = verdict.learned_score, verdict.model_version


class _Unsaved:
    """An item's fields without its id: whether it is removed from VK does not depend on the id."""

    def __init__(self, item: ModItem):
        self.id: int | None = 0
        self.channel, self.peer_id, self.cmid, self.comment_id = (
            item.channel,
            item.peer_id,
            item.cmid,
            item.comment_id,
        )


# Built once: a statement reused keeps its cache key, which SQLAlchemy otherwise recomputes per call.
_BY_SOURCE_KEY = select(ModItem).where(ModItem.source_key == bindparam("source_key"))


_KEYS = select(ModItem.source_key).where(col(ModItem.source_key).in_(bindparam("keys", expanding=True)))
_ABSENT = "moderation.absent_items"  # session.info: (transaction, source keys known to have no item)


def note_absent(session: Session, source_keys: Iterable[str]) -> None:
    """Before a batch of events in one transaction: which of their keys have no item yet (one query), so
    that recording a verdict for one of them need not look for it. Only an optimisation.

    The set only shrinks: a key is taken out when its item is written, so it can be too narrow (one
    more query), never wrong; in another transaction nothing is known. Items are written only by the
    handling of their own event, which the batch holds (one dispatcher per conversation).
    """
    keys = list(dict.fromkeys(source_keys))
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # bounded IN lists
        found.update(session.exec(_KEYS, params={"keys": keys[start : start + 500]}))
    session.info[_ABSENT] = (session.get_transaction(), {key for key in keys if key not in found})


def _known_absent(session: Session, source_key: str) -> bool:
    """True if ``note_absent`` saw no item for ``source_key`` in this transaction; it is then taken out
    (the caller is about to write one)."""
    entry = session.info.get(_ABSENT)
    if entry is None or entry[0] is not session.get_transaction() or source_key not in entry[1]:
        return False
    entry[1].discard(source_key)
    return True


def _find(session: Session, source_key: str) -> ModItem | None:
    # Only pending items could change the answer: flush for them alone, not for every pending row.
    if any(isinstance(obj, ModItem) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.flush()
    with session.no_autoflush:
        return session.exec(_BY_SOURCE_KEY, params={"source_key": source_key}).first()


def _raise(session: Session, item: ModItem, verdict: Verdict, classification: Classification) -> None:
    """A later, stronger verdict (Detoxify) raises a stored item; never one the founder reviewed."""
    stronger = _RANK.get(verdict.status, 0) > _RANK.get(item.status, 3)
    if stronger and item.reviewed_at is None:
        _apply(item, verdict, classification)
        session.add(item)
        session.flush()


def _new_row(
    subject: Subject, verdict: Verdict, classification: Classification, at: datetime
) -> dict[str, Any]:
    """A new item's column values (all but its id), as ``_new_item`` stores them."""
    body, cut = bounded_text(subject.text)
    return {
        "source_key": subject.source_key[:128],
        "channel": subject.channel,
        "author_id": subject.author_id,
        "peer_id": subject.peer_id,
        "cmid": subject.cmid,
        "post_id": subject.post_id,
        "comment_id": subject.comment_id,
        "text": body,
        "text_truncated": cut,
        "text_erased_at": None,
        "status": verdict.status,
        "categories": list(verdict.categories),
        "reasons": list(verdict.reasons),
        "urgent": verdict.urgent,
        "evidence": verdict.evidence,
        "scores": signals_json(classification),
        "tier": verdict.tier or None,
        "learned_score": verdict.learned_score,
        "model_version": verdict.model_version,
        "removal_state": None,
        "removal_note": None,
        "created_at": at,
        "reviewed_at": None,
        "reviewed_by": None,
    }


def _new_item(subject: Subject, verdict: Verdict, classification: Classification, at: datetime) -> ModItem:
    # Every field given: a list field left to its default_factory costs pydantic a signature lookup.
    return ModItem(**_new_row(subject, verdict, classification, at))


# Built once (SQLAlchemy keeps its cache key): a new item nothing needs as an object, in one INSERT.
_INSERT_ITEM = sa.insert(ModItem.__table__)  # type: ignore[attr-defined]


def record_verdict(
    session: Session, subject: Subject, verdict: Verdict, classification: Classification, at: datetime
) -> ModItem:
    """Store the item once per ``subject.source_key``; a later, stronger verdict (Detoxify) raises it.

    Nothing the founder already reviewed is changed, and a verdict never lowers a stored one.
    """
    item = _find(session, subject.source_key)
    if item is not None:
        _raise(session, item, verdict, classification)
        return item
    item = _new_item(subject, verdict, classification, at)
    session.add(item)
    session.flush()
    return item


def record_with_effects(
    session: Session,
    subject: Subject,
    verdict: Verdict,
    classification: Classification,
    at: datetime,
    *,
    settings: ItemSettings,
    group_id: int,
) -> list[Effect]:
    """``record_verdict`` then ``effects_for_new_item``, with the same outcome.

    A new item's removal is decided before it is written: one INSERT and one flush, not three flushes;
    a new item that is not hidden is one Core INSERT and no flush.
    """
    item = None if _known_absent(session, subject.source_key) else _find(session, subject.source_key)
    if item is not None:
        _raise(session, item, verdict, classification)
        return effects_for_new_item(session, item, settings, group_id=group_id, at=at)
    if verdict.status not in HIDDEN_STATUSES:
        # Nothing follows from it and nothing here needs it as an object: one Core INSERT, written at
        # once in the session's transaction (so any later query sees it, as after the flush it replaces),
        # with no ORM object, unit of work or flush of other pending rows (they go with the next flush).
        session.connection().execute(_INSERT_ITEM, _new_row(subject, verdict, classification, at))
        return []
    item = _new_item(subject, verdict, classification, at)
    removes = actions_for(_Unsaved(item), settings, group_id=group_id)
    item.removal_state = "pending" if removes else "skipped"
    session.add(item)
    session.flush()  # the effects' keys and a ban proposal name the item by its id
    return _with_ban(session, item, settings, at, actions_for(item, settings, group_id=group_id))


def effects_for_new_item(
    session: Session, item: ModItem, settings: ItemSettings, *, group_id: int, at: datetime
) -> list[Effect]:
    """Once per hidden item: its removal from VK, and a ban if the author is now a repeat offender.

    Idempotent: an item whose removal was already decided yields nothing, so a replayed event
    enqueues nothing twice.
    """
    if item.status not in HIDDEN_STATUSES or item.removal_state is not None:
        return []
    effects: list[Effect] = list(actions_for(item, settings, group_id=group_id))
    item.removal_state = "pending" if effects else "skipped"
    session.add(item)
    session.flush()
    return _with_ban(session, item, settings, at, effects)


def _with_ban(
    session: Session, item: ModItem, settings: ItemSettings, at: datetime, effects: list[Effect]
) -> list[Effect]:
    proposal = check_repeat_offender(session, item.author_id, settings, at)
    ban = ban_for(proposal) if proposal is not None else None
    return [*effects, ban] if ban is not None else list(effects)


def hidden_source_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these events the founder's inbox must leave out."""
    return _keys_with_status(session, keys, HIDDEN_STATUSES)


def review_source_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these shown events are marked for review: the inbox blurs them until she looks."""
    return _keys_with_status(session, keys, ("flagged",))


def _keys_with_status(session: Session, keys: Iterable[str], statuses: tuple[str, ...]) -> set[str]:
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # bounded IN lists
        chunk = wanted[start : start + 500]
        stmt = select(ModItem.source_key).where(
            col(ModItem.source_key).in_(chunk), col(ModItem.status).in_(statuses)
        )
        found.update(session.exec(stmt))
    return found


def is_hidden(session: Session, source_key: str) -> bool:
    return bool(hidden_source_keys(session, [source_key]))


def mark_removal(session: Session, item_id: int, done: bool, reason: str | None = None) -> None:
    """The outbox's outcome for a removal: done, or failed with a plain reason (e.g. no admin token)."""
    item = session.get(ModItem, item_id)
    if item is None:
        raise LookupError(f"no moderated item {item_id}")
    if item.status not in HIDDEN_STATUSES:
        return  # restored meanwhile: the outcome of an old removal no longer matters
    item.removal_state = "done" if done else "failed"
    item.removal_note = None if done else (reason or "")[:MAX_NOTE]
    session.add(item)


def mark_restore(session: Session, item_id: int, done: bool, reason: str | None = None) -> None:
    """The outbox's outcome for putting a comment back; a failure is kept so the founder can do it by hand."""
    item = session.get(ModItem, item_id)
    if item is None:
        raise LookupError(f"no moderated item {item_id}")
    if item.status != "restored":
        return
    item.removal_state = "restored" if done else "restore_failed"
    item.removal_note = None if done else (reason or "")[:MAX_NOTE]
    session.add(item)


def manual_removal_list(session: Session, limit: int = 200) -> list[ModItem]:
    """Hidden comments still on the wall: the founder removes these by hand (oldest first)."""
    stmt = select(ModItem).where(
        ModItem.channel == "comment",
        col(ModItem.status).in_(HIDDEN_STATUSES),
        ModItem.removal_state == "failed",
    )
    return list(session.exec(stmt.order_by(col(ModItem.id)).limit(limit)))
