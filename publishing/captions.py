"""The texts a post carries (caption, video title) and the founder's hand-off, from the i18n catalogue."""

from __future__ import annotations

import i18n
from publishing.settings import PublishingSettings
from waitlist.models import WlOrder

__all__ = ["caption_for", "delete_handoff_text", "handoff_text", "revoked_handoff_text", "title_for"]

_VK_TITLE_MAX = 128


def _name(order: WlOrder) -> str:
    return (order.subject_name or "").strip()


def caption_for(order: WlOrder, settings: PublishingSettings) -> str:
    name = _name(order)
    if not name:
        return i18n.text(f"{settings.caption_key}_unnamed", settings.lang)
    return i18n.text(settings.caption_key, settings.lang, name=name)


def title_for(order: WlOrder, settings: PublishingSettings) -> str:
    name = _name(order) or i18n.text("publishing.title_unnamed", settings.lang)
    return i18n.text("publishing.title", settings.lang, name=name)[:_VK_TITLE_MAX]


def handoff_text(settings: PublishingSettings, caption: str, file_id: str, reason: str) -> str:
    return i18n.text(
        "publishing.handoff.post", settings.lang, caption=caption, file_id=file_id, reason=reason
    )


def delete_handoff_text(settings: PublishingSettings, post_id: int, group_id: int, reason: str) -> str:
    return i18n.text(
        "publishing.handoff.delete",
        settings.lang,
        url=f"https://vk.com/wall-{group_id}_{post_id}",
        reason=reason,
    )


def revoked_handoff_text(settings: PublishingSettings, caption: str) -> str:
    return i18n.text("publishing.handoff.revoked", settings.lang, caption=caption)
