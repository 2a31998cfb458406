"""Whose photos and recordings the intake downloads as soon as they come, so vkbot may fetch them ahead.

Before consent nothing is downloaded (``media.keep_pending``); after it, media go into the order at once.
vkbot fetches and measures those ahead of its write transaction, so the transaction does not hold the
database while a photo downloads or OpenCV looks at it. Only the peers named here are fetched ahead.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlmodel import Session, col, select

from waitlist.inbound import InboundAttachment
from waitlist.media import media_kind
from waitlist.models import WlConversation
from waitlist.settings import WaitlistSettings

__all__ = ["downloading_peers", "media_to_fetch"]


def downloading_peers(session: Session, peer_ids: Collection[int]) -> set[int]:
    """The peers among ``peer_ids`` who have consented and are on the order track (one query)."""
    if not peer_ids:
        return set()
    query = select(WlConversation.peer_id).where(
        col(WlConversation.peer_id).in_(list(peer_ids)),
        col(WlConversation.pd_consent).is_(True),
        WlConversation.track == "order",
    )
    return set(session.exec(query))


def media_to_fetch(
    attachments: Iterable[InboundAttachment], settings: WaitlistSettings
) -> list[tuple[str, int, bool]]:
    """(url, byte limit, is a photo) of each photo or recording the intake would download, as ``media`` does."""
    wanted = []
    for att in attachments:
        kind = media_kind(att)
        if kind is not None and att.url:
            limit = settings.photo_max_bytes if kind == "photo" else settings.voice_max_bytes
            wanted.append((att.url, limit, kind == "photo"))
    return wanted
