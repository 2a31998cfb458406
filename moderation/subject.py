"""What moderation judges: one message or comment, named by the stored event it came from.

Built once by the caller (vkbot's adapter) and passed whole through ``record_verdict``,
``record_with_effects`` and ``record_shown``, instead of the same fields as loose arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from moderation.policy import Channel

__all__ = ["Subject"]


@dataclass(frozen=True, slots=True)
class Subject:
    source_key: str  # the stored event's key (e.g. "evt:123"): one moderation item per event
    channel: Channel
    author_id: int
    text: str
    peer_id: int | None = None  # a private message: its conversation and id in it
    cmid: int | None = None
    post_id: int | None = None  # a wall comment: its post and id
    comment_id: int | None = None

    @classmethod
    def message(cls, source_key: str, author_id: int, peer_id: int, cmid: int | None, text: str) -> Subject:
        return cls(source_key, "message", author_id, text, peer_id=peer_id, cmid=cmid)

    @classmethod
    def comment(cls, source_key: str, author_id: int, post_id: int, comment_id: int, text: str) -> Subject:
        return cls(source_key, "comment", author_id, text, post_id=post_id, comment_id=comment_id)
