"""The texts a post carries (caption, video title) and the founder's hand-off, from the i18n catalogue."""

from __future__ import annotations

import re

import i18n
from publishing.settings import PublishingSettings
from waitlist.models import WlOrder

__all__ = [
    "caption_for",
    "clean_name",
    "delete_handoff_text",
    "handoff_text",
    "revoked_handoff_text",
    "title_for",
]

_VK_TITLE_MAX = 128


# Words a family writes around the name ("Мой папа, Николай Петрович Иванов"): never part of a caption.
_KIN = frozenset(
    """мой моя мое моё мои наш наша наше наши мій моя моє мої my our
    папа папочка отец батя мама мамочка мать дедушка дед деда бабушка бабуля баба муж жена сын сынок дочь
    дочка доченька брат братик сестра сестрёнка сестренка дядя тётя тетя друг подруга супруг супруга
    тато батько мати матуся дідусь дід бабуся чоловік дружина донька брат сестра
    father dad daddy mother mom mum grandfather grandpa grandmother grandma husband wife son daughter
    brother sister uncle aunt friend""".split()
)
_SEPARATORS = re.compile(r"\s*[,:;()—–]\s*|\s+-\s+")


def clean_name(written: str) -> str:
    """The name as the family wrote it, without the words around it ("мой папа", "my dad").

    Each part between commas or dashes loses its leading kinship and possessive words; the first part
    left with a name in it is the name. Nothing recognisable: the text as written.
    """
    for part in _SEPARATORS.split(written.strip()):
        words = part.split()
        while words and (words[0].lower().strip(".") in _KIN or not words[0][:1].isupper()):
            words.pop(0)
        if words:
            return " ".join(words).strip(" .")
    return written.strip()


def _name(order: WlOrder) -> str:
    return clean_name(order.subject_name or "")


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
