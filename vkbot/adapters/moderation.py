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
from vkbot.core.store.models import StoredEvent
from vkbot.effects.outbox import OutboxRequest
from vkbot.ingress.events import Comment, VkEvent, parse_event

__all__ = ["effect_request", "effect_requests", "record_shown_event", "report_outcome", "verdict_requests"]

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
    *,
    source_key: str,
    channel: str,
    author_id: int,
    peer_id: int | None,
    text: str,
    verdict: Verdict,
    classification: Classification,
    settings: ItemSettings,
    group_id: int,
    at: datetime,
    post_id: int | None = None,
    comment_id: int | None = None,
    cmid: int | None = None,
) -> list[OutboxRequest]:
    """The pipeline's one call per moderated event: store a verdict that is not ok, queue what follows."""
    if verdict.status == "ok":
        return []  # a relative's words are not copied out of the event store
    effects = record_with_effects(
        session,
        source_key=source_key,
        channel=channel,
        author_id=author_id,
        peer_id=peer_id,
        post_id=post_id,
        comment_id=comment_id,
        cmid=cmid,
        text=text,
        verdict=verdict,
        classification=classification,
        at=at,
        settings=settings,
        group_id=group_id,
    )
    return effect_requests(effects, group_id)


def record_shown_event(session: Session, event_id: int) -> ModItem:
    """The moderation item of a stored message or comment (recorded as "ok" if it never was), to hide it.

    ``event_id`` is the stored event's id; its key ``evt:<id>`` is the inbox's ``event_key``.
    """
    stored = session.get(StoredEvent, event_id)
    if stored is None:
        raise LookupError(f"no stored event {event_id}")
    key = f"evt:{stored.id}"  # the same key the pipeline records verdicts under
    event = parse_event(stored.raw)
    if not isinstance(event, VkEvent):
        raise ValueError(f"stored event {event_id} does not parse: {event.reason}")
    message, obj = event.message, event.obj
    if event.type == "message_new" and message is not None:
        return record_shown(
            session,
            source_key=key,
            channel="message",
            author_id=message.from_id,
            peer_id=message.peer_id,
            cmid=message.conversation_message_id,
            text=message.text,
            at=datetime.fromtimestamp(message.date, UTC),
        )
    if event.type == "wall_reply_new" and isinstance(obj, Comment):
        return record_shown(
            session,
            source_key=key,
            channel="comment",
            author_id=obj.from_id,
            peer_id=None,
            post_id=obj.post_id,
            comment_id=obj.id,
            text=obj.text,
            at=datetime.fromtimestamp(obj.date, UTC),
        )
    raise ValueError(f"stored event {event_id} is a {stored.type}, not a message or a comment")
