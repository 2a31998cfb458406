"""Erasing the texts of a relative's stored messages (``waitlist.ports.MessageTexts`` over vk_events)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from vkbot.core.store.models import OutboxRow, StoredEvent, VkUserName

ERASED = ""


def _blank(raw: dict[str, Any]) -> dict[str, Any]:
    """A copy of the raw event with message texts and forwarded texts blanked; attachments' URLs dropped."""
    raw = copy.deepcopy(raw)
    obj = raw.get("object")
    msg = obj.get("message", obj) if isinstance(obj, dict) else None
    stack = [msg] if isinstance(msg, dict) else []
    while stack:
        node = stack.pop()
        if "text" in node:
            node["text"] = ERASED
        node["attachments"] = []
        for key in ("fwd_messages",):
            stack.extend(n for n in node.get(key) or [] if isinstance(n, dict))
        if isinstance(node.get("reply_message"), dict):
            stack.append(node["reply_message"])
    raw["erased"] = True
    return raw


class StoredMessageTexts:
    """Blanks texts of one peer's stored events in the caller's session, keeping those held as evidence.

    ``evidence_keys(peer_id)`` names the stored events (their ``key``) that moderation keeps as evidence
    of threats; ``erase_moderation(peer_id)`` blanks moderation's own copies (items, labels).
    """

    def __init__(
        self,
        session: Session,
        evidence_keys: Callable[[int], set[str]] = lambda _peer: set(),
        erase_moderation: Callable[[int], int] = lambda _peer: 0,
    ):
        self.session = session
        self.evidence_keys = evidence_keys
        self.erase_moderation = erase_moderation

    def erase_texts(self, peer_id: int, keep_evidence: bool) -> int:
        events = self.session.scalars(select(StoredEvent).where(col(StoredEvent.peer_id) == peer_id)).all()
        keep = self.evidence_keys(peer_id) if keep_evidence else set()
        erased = self.erase_moderation(peer_id)
        for event in events:
            if event.key in keep:
                continue
            if event.raw.get("erased"):
                continue
            event.raw = _blank(event.raw)
            erased += 1
        erased += self._erase_sent_replies(peer_id)
        name = self.session.get(VkUserName, peer_id)
        if name is not None:  # their VK name, kept for the founder's conversation list
            self.session.delete(name)
            erased += 1
        self.session.flush()
        return erased

    def _erase_sent_replies(self, peer_id: int) -> int:
        """Our replies echo what the relative told us (the summary): blank those already sent or given up.

        Pending rows keep their text: blanking them would send an empty message.
        """
        rows = self.session.scalars(
            select(OutboxRow).where(col(OutboxRow.peer_id) == peer_id, col(OutboxRow.status) != "pending")
        ).all()
        erased = 0
        for row in rows:
            if row.params.get("message"):
                row.params = {**row.params, "message": ERASED}
                erased += 1
        return erased

    def count_evidence(self, peer_id: int) -> int:
        return len(self.evidence_keys(peer_id))
