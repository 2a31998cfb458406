"""Moderation effects -> outbox rows, and outbox outcomes -> the moderation records.

Comment removal, restoration and bans are user-token methods: the client routes them to the admin
user token; without it the sender parks the row with a plain reason, and ``report_outcome`` puts the
comment on the founder's list for removal by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

from sqlmodel import Session

from moderation.actions import BanUser, DeleteComment, DeleteMessage, Effect, RestoreComment, item_id_from_key
from moderation.bans import mark_banned, proposal_id_from_key
from moderation.classifier import Classification
from moderation.policy import Verdict
from moderation.records import ItemSettings, effects_for_new_item, mark_removal, mark_restore, record_verdict
from vkbot.outbox import OutboxRequest

__all__ = ["effect_request", "effect_requests", "report_outcome", "verdict_requests"]

BAN_COMMENT_LIMIT = 255


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
    item = record_verdict(
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
    )
    return effect_requests(effects_for_new_item(session, item, settings, group_id=group_id, at=at), group_id)
