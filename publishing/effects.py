"""What the planner decides, as plain values; the caller (vkbot) turns them into outbox rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from waitlist.effects import Reply

__all__ = [
    "DeletePost",
    "Effect",
    "HandToFounder",
    "PublishClip",
    "SwitchComments",
    "delete_key",
    "handoff_key",
    "publish_key",
]


def publish_key(guid: str) -> str:
    return f"pub:{guid}:publish"


def delete_key(guid: str) -> str:
    return f"pub:{guid}:delete"


def handoff_key(guid: str) -> str:
    return f"pub:{guid}:handoff"


@dataclass(frozen=True)
class PublishClip:
    """Upload the clip as a community video and post it with its caption; ``guid`` makes the post unique."""

    order_id: int
    file_id: str
    caption: str
    guid: str
    key: str
    title: str = ""
    publish_at: datetime | None = None  # hand it to VK as a postponed post for this moment


@dataclass(frozen=True)
class DeletePost:
    """Take a post down from the community wall (consent was revoked after it went up).

    ``recall``: only take a postponed post back from VK's list (moved, paused or changed); its video
    stays for the next hand-over and nobody is told.
    """

    post_id: int
    key: str
    recall: bool = False


@dataclass(frozen=True)
class HandToFounder:
    """The suite cannot post (no admin user token): the founder gets the ready post to paste herself."""

    order_id: int
    caption: str
    reason: str
    key: str
    file_id: str = ""
    text: str = ""  # the whole hand-off message, in the community's language


@dataclass(frozen=True)
class SwitchComments:
    """Close (or open again) the comments under a post already on the wall."""

    post_id: int
    closed: bool
    key: str


# A ``Reply`` is a message to the family (the approval question, "not published", "taken down").
Effect = PublishClip | DeletePost | HandToFounder | SwitchComments | Reply
