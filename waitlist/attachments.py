"""Attachments the dialog cannot use (a video, a wall post, a poll, a link, a file...): kept for the founder
by reference, and the writer is told in words what was kept, so nothing sent is silently dropped."""

from __future__ import annotations

from waitlist import media
from waitlist.inbound import InboundAttachment, InboundMessage
from waitlist.intake import keep_for_founder
from waitlist.turn import Turn

__all__ = ["any_kept", "keep", "kind_of", "unsaid", "words"]

# The kinds named in the acknowledgement (intake.attachment.<kind>); anything else is "other".
_NAMED = frozenset(
    {"video", "doc", "wall", "wall_reply", "poll", "link", "audio", "market", "story", "graffiti"}
)


def kind_of(att: InboundAttachment) -> str | None:
    """What to call ``att`` in words; None for photos and voice notes (the dialog takes them) and
    stickers (a feeling, answered by the dialog's gentle reply, not something to keep)."""
    if media.is_media(att) or att.kind == "sticker":
        return None
    if att.kind in ("video", "doc"):
        return att.kind
    return att.ext if att.ext in _NAMED else "other"


def any_kept(msg: InboundMessage) -> bool:
    return any(kind_of(att) is not None for att in msg.attachments)


def keep(turn: Turn) -> None:
    """Keep each such attachment in the founder's inbox."""
    for att in turn.msg.attachments:
        kind = kind_of(att)
        if kind is None:
            continue
        # What the founder needs to find it: kind, VK reference, title and address where VK gives them.
        parts = (att.vk_ref if att.vk_ref != kind else None, att.title, att.url)
        described = "\n".join([kind, *(part for part in parts if part)])
        keep_for_founder(turn, "attachment", described)


def words(turn: Turn) -> str:
    """ "Спасибо, видео и ссылку мы сохранили для автора роликов." (one sentence for all of them), or ""."""
    kinds = list(dict.fromkeys(k for k in map(kind_of, turn.msg.attachments) if k is not None))
    if not kinds:
        return ""
    names = [turn.t(f"intake.attachment.{kind}") for kind in kinds]
    what = (
        names[0]
        if len(names) == 1
        else f"{', '.join(names[:-1])} {turn.t('intake.attachment.and')} {names[-1]}"
    )
    return turn.t("intake.attachment.kept", what=what)


def unsaid(turn: Turn) -> str:
    """``words``, unless a reply of this turn already says them."""
    said = words(turn)
    return "" if not said or any(said in reply.text for reply in turn.replies) else said
