"""Moderation effects -> outbox rows, and outbox outcomes -> the moderation records.

Comment removal, restoration and bans are user-token methods: the client routes them to the admin
user token; without it the sender parks the row with a plain reason, and ``report_outcome`` puts the
comment on the founder's list for removal by hand.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import assert_never

from sqlmodel import Session

from moderation.actions import BanUser, DeleteComment, DeleteMessage, Effect, RestoreComment, item_id_from_key
from moderation.bans import mark_banned, proposal_id_from_key
from moderation.classifier import Classification
from moderation.models import ModItem
from moderation.policy import Verdict
from moderation.records import ItemSettings, mark_removal, mark_restore, record_with_effects
from moderation.review import record_shown
from moderation.subject import Subject
from vkbot.adapters.inbound import MAX_TEXT_CHARS, forwarded, storable
from vkbot.core.store.events_repo import load_event
from vkbot.core.store.models import StoredEvent
from vkbot.effects.outbox import OutboxRequest
from vkbot.ingress.events import EventObject, MessageNew, VkEvent, WallReplyNew

__all__ = [
    "effect_request",
    "effect_requests",
    "record_shown_event",
    "report_outcome",
    "subject_of",
    "verdict_requests",
    "written_at",
]

BAN_COMMENT_LIMIT = 255
log = logging.getLogger("vkbot.moderation")


def effect_request(effect: Effect, group_id: int) -> OutboxRequest:
    """The VK call that carries out one moderation effect."""
    params: dict[str, object]
    if isinstance(effect, DeleteComment):
        params = {"owner_id": effect.owner_id, "comment_id": effect.comment_id}
        return OutboxRequest(key=effect.key, method="wall.deleteComment", params=params)
    if isinstance(effect, RestoreComment):
        params = {"owner_id": effect.owner_id, "comment_id": effect.comment_id}
        return OutboxRequest(key=effect.key, method="wall.restoreComment", params=params)
    if isinstance(effect, DeleteMessage):
        # delete_for_all=0: an incoming message is cleared from the community's inbox only.
        params = {"peer_id": effect.peer_id, "cmids": str(effect.cmid), "delete_for_all": 0}
        return OutboxRequest(key=effect.key, method="messages.delete", params=params, peer_id=effect.peer_id)
    if isinstance(effect, BanUser):
        ban: dict[str, object] = {
            "group_id": abs(group_id),
            "owner_id": effect.user_id,
            "reason": effect.reason_code,
            "comment_visible": 0,
        }
        if effect.end_date is not None:
            ban["end_date"] = int(effect.end_date.timestamp())
        if effect.comment:
            ban["comment"] = effect.comment[:BAN_COMMENT_LIMIT]
        return OutboxRequest(key=effect.key, method="groups.ban", params=ban)
    assert_never(effect)


def effect_requests(effects: list[Effect], group_id: int) -> list[OutboxRequest]:
    return [effect_request(effect, group_id) for effect in effects]


def report_outcome(session: Session, key: str, done: bool, reason: str | None = None) -> bool:
    """Tell moderation how a row it caused ended (done, or parked with ``reason``); False if not ours."""
    try:
        return _report(session, key, done, reason)
    except LookupError:
        # The item or proposal is gone (erased by hand?): nothing left to update, and the sender goes on.
        log.warning("outbox row %s finished for a moderation record that no longer exists", key)
        return True


def _report(session: Session, key: str, done: bool, reason: str | None) -> bool:
    item_id = item_id_from_key(key)
    if item_id is not None:
        mark = mark_removal if key.split(":")[1] == "delete" else mark_restore
        mark(session, item_id, done, reason)
        return True
    proposal_id = proposal_id_from_key(key)
    if proposal_id is not None:
        if done:
            mark_banned(session, proposal_id)
        return True
    return False


def verdict_requests(
    session: Session,
    subject: Subject,
    verdict: Verdict,
    classification: Classification,
    at: datetime,
    *,
    settings: ItemSettings,
    group_id: int,
) -> list[OutboxRequest]:
    """The pipeline's one call per moderated event: store a verdict that is not ok, queue what follows."""
    if verdict.status == "ok":
        return []  # a relative's words are not copied out of the event store
    effects = record_with_effects(
        session, subject, verdict, classification, at, settings=settings, group_id=group_id
    )
    return effect_requests(effects, group_id)


def subject_of(key: str, obj: EventObject) -> Subject | None:
    """What moderation judges of an event: a relative's private message (with the texts it forwards) or a
    wall comment by a person; None for anything else (our own messages, chats, the community's comments).
    """
    if isinstance(obj, MessageNew) and obj.message.private:
        message = obj.message
        texts = [message.text, *(f.text for f in forwarded(message.fwd_messages) if f.text)]
        text = "\n".join(t[:MAX_TEXT_CHARS] for t in texts)
        return Subject.message(
            key, message.from_id, message.peer_id, message.conversation_message_id, storable(text)
        )
    if isinstance(obj, WallReplyNew) and obj.from_id > 0:
        return Subject.comment(key, obj.from_id, obj.post_id, obj.id, storable(obj.text))
    return None


def written_at(event: VkEvent) -> datetime:
    """When the message or comment was written (VK's clock)."""
    date = event.message.date if event.message is not None else getattr(event.obj, "date", 0)
    return datetime.fromtimestamp(date, UTC)


def record_shown_event(session: Session, event_id: int) -> ModItem:
    """The moderation item of a stored message or comment (recorded as "ok" if it never was), to hide it.

    ``event_id`` is the stored event's id; its ``key`` is the inbox's.
    """
    stored = session.get(StoredEvent, event_id)
    if stored is None:
        raise LookupError(f"no stored event {event_id}")
    event = load_event(stored)
    if not isinstance(event, VkEvent):
        raise ValueError(f"stored event {event_id} does not parse: {event.reason}")
    subject = subject_of(stored.key, event.obj)
    if subject is None:
        raise ValueError(f"stored event {event_id} is a {stored.type}, not a relative's message or a comment")
    return record_shown(session, subject, written_at(event))
