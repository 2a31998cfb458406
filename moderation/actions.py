"""Effects on VK that moderation decides (plain values the caller turns into outbox rows), and their keys.

Each effect carries a stable ``key``; an item hidden, restored and hidden again gets new keys each time
(the label id is part of them), so the outbox's de-duplication never swallows a later action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = [
    "BanUser",
    "DeleteComment",
    "DeleteMessage",
    "Effect",
    "RemovalSettings",
    "RestoreComment",
    "actions_for",
    "effect_key",
    "item_id_from_key",
]

KEY_PREFIX = "mod"


@dataclass(frozen=True, slots=True)
class DeleteComment:
    owner_id: int  # the community's wall: -group_id
    comment_id: int
    key: str


@dataclass(frozen=True, slots=True)
class RestoreComment:
    owner_id: int
    comment_id: int
    key: str


@dataclass(frozen=True, slots=True)
class DeleteMessage:
    """Clears a private message from the community's inbox only; its author still sees it."""

    peer_id: int
    cmid: int
    key: str


@dataclass(frozen=True, slots=True)
class BanUser:
    user_id: int
    end_date: datetime | None  # None: for ever
    reason_code: int  # groups.ban: 1 spam, 2 verbal abuse
    comment: str
    key: str


Effect = DeleteComment | RestoreComment | DeleteMessage | BanUser


class RemovalSettings(Protocol):
    """What ``actions_for`` reads of ModerationSettings."""

    @property
    def delete_quarantined_from_vk_inbox(self) -> bool: ...


class HiddenItem(Protocol):
    """What ``actions_for`` reads of a ModItem."""

    id: int | None
    channel: str
    peer_id: int | None
    cmid: int | None
    comment_id: int | None


def effect_key(action: str, item_id: int, generation: int = 0) -> str:
    """``mod:<action>:<item id>:<generation>``; generation 0 is the filter's, later ones are label ids."""
    return f"{KEY_PREFIX}:{action}:{item_id}:{generation}"


def item_id_from_key(key: str) -> int | None:
    """The item an outbox row acts on, so a parked or finished row can be reported back."""
    parts = key.split(":")
    if len(parts) != 4 or parts[0] != KEY_PREFIX or parts[1] not in ("delete", "restore"):
        return None
    try:
        return int(parts[2])
    except ValueError:
        return None


def actions_for(
    item: HiddenItem, settings: RemovalSettings, *, group_id: int, generation: int = 0
) -> list[Effect]:
    """Removal from VK for a newly hidden item: a wall comment always, a private message only if enabled."""
    if item.id is None:
        raise ValueError("the item must be stored (flushed) before its effects are decided")
    key = effect_key("delete", item.id, generation)
    if item.channel == "comment" and item.comment_id is not None:
        return [DeleteComment(owner_id=-abs(group_id), comment_id=item.comment_id, key=key)]
    if (
        item.channel == "message"
        and settings.delete_quarantined_from_vk_inbox
        and item.peer_id is not None
        and item.cmid is not None
    ):
        return [DeleteMessage(peer_id=item.peer_id, cmid=item.cmid, key=key)]
    return []


def restore_actions(
    item: HiddenItem, removal_state: str | None, *, group_id: int, generation: int
) -> list[Effect]:
    """Putting a comment back on the wall, when it was (or may have been) taken off it."""
    if item.id is None or item.channel != "comment" or item.comment_id is None:
        return []
    if removal_state not in ("pending", "done"):
        return []  # never removed (failed, or removal by hand still due): nothing to restore on VK
    return [
        RestoreComment(
            owner_id=-abs(group_id),
            comment_id=item.comment_id,
            key=effect_key("restore", item.id, generation),
        )
    ]
