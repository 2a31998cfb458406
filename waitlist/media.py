"""Photos and voice recordings in a message: kept as references before consent, downloaded and checked after."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlmodel import col, func, select

from waitlist import known
from waitlist.inbound import InboundAttachment
from waitlist.models import WlFile, WlOrder, WlPendingAttachment
from waitlist.photo_check import measure_photo
from waitlist.ports import DownloadError
from waitlist.rows import insert_rows
from waitlist.turn import Turn

__all__ = [
    "MediaResult",
    "adopt_pending",
    "caption",
    "is_media",
    "keep_pending",
    "media_kind",
    "take_media",
    "vk_identity",
]

_IMAGE_EXTS = frozenset({"jpg", "jpeg", "png", "webp", "bmp", "heic", "heif", "tif", "tiff"})


@dataclass
class MediaResult:
    photos: int = 0
    voices: int = 0
    failed: int = 0
    duplicates: int = 0
    poor: list[WlFile] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.photos or self.voices or self.failed or self.duplicates)


def media_kind(att: InboundAttachment) -> str | None:
    if att.kind == "photo" or (att.kind == "doc" and (att.ext or "").lower() in _IMAGE_EXTS):
        return "photo"
    if att.kind == "audio_message":
        return "voice"
    return None


def is_media(att: InboundAttachment) -> bool:
    return media_kind(att) is not None


def caption(turn: Turn) -> str | None:
    """The words sent with photos or a recording: they describe what they come with."""
    text = turn.msg.text.strip()
    if not text or not any(is_media(a) for a in turn.msg.attachments):
        return None
    return text[: turn.settings.max_text_chars]


def keep_pending(turn: Turn) -> int:
    """Before consent nothing is downloaded: only the references are kept, to fetch once the writer agrees."""
    words = caption(turn)
    rows = [
        {
            "peer_id": turn.msg.peer_id,
            "kind": kind,
            "url": att.url,
            "vk_ref": att.vk_ref[:255],
            "ext": att.ext,
            "caption": words,
            "created_at": turn.now,
        }
        for att in turn.msg.attachments
        if (kind := media_kind(att)) is not None
    ]
    # An album's references in one statement, in their order (adopt_pending reads them by id); no ORM
    # objects: see waitlist/rows.py.
    if rows:
        known.now_present(turn.session, "pending", turn.msg.peer_id)
    insert_rows(turn.session, WlPendingAttachment, rows)
    return len(rows)


# VK names a file "photo<owner>_<id>" plus an access key that differs from message to message.
_VK_ID = re.compile(r"^(photo|doc|audio_message)(-?\d+_\d+)(?:_|$)")


def vk_identity(vk_ref: str) -> str | None:
    """The file's identity at VK ("photo-1_2"), without the access key; None if the reference has none."""
    found = _VK_ID.match(vk_ref)
    return found.group(1) + found.group(2) if found else None


@dataclass
class _Kept:
    """What the order holds already, read once per message so no attachment asks the database again.

    A VK id decides a file sent again (quoted, or forwarded after it was sent): its bytes need not match,
    as another size may be served and the address changes. The content id catches the same bytes under
    another VK id. Each file stored meanwhile is added, so an album's own repeats are caught too.
    """

    identities: set[str]
    file_ids: set[str]

    @classmethod
    def read(cls, turn: Turn, order: WlOrder) -> _Kept:
        with known.reading(turn.session, WlFile):
            rows = turn.session.exec(select(WlFile.vk_ref, WlFile.file_id).where(WlFile.order_id == order.id))
            kept = cls(set(), set())
            for vk_ref, file_id in rows.all():
                kept.add(vk_ref or "", file_id)
        return kept

    def add(self, vk_ref: str, file_id: str) -> None:
        identity = vk_identity(vk_ref)
        if identity is not None:
            self.identities.add(identity)
        self.file_ids.add(file_id)

    def has_identity(self, vk_ref: str) -> bool:
        identity = vk_identity(vk_ref)
        return identity is not None and identity in self.identities


def _store(
    turn: Turn,
    order: WlOrder,
    kept: _Kept,
    kind: str,
    url: str | None,
    vk_ref: str,
    result: MediaResult,
    words: str | None = None,
) -> None:
    settings = turn.settings
    limit = settings.photo_max_bytes if kind == "photo" else settings.voice_max_bytes
    if kept.has_identity(vk_ref):
        result.duplicates += 1
        return
    if not url:
        result.failed += 1
        return
    try:
        data = turn.downloader.fetch(url, limit)
    except DownloadError:
        # The writer is asked to send it again; the reference stays in vkbot's stored event.
        result.failed += 1
        return
    file_id = turn.files.put(data)
    if file_id in kept.file_ids:
        result.duplicates += 1
        return
    row = WlFile(
        order_id=order.id or 0,
        file_id=file_id,
        kind=kind,
        size_bytes=len(data),
        vk_ref=vk_ref[:255],
        caption=words,
        created_at=turn.now,
    )
    if kind == "photo":
        measures = measure_photo(data)
        if measures is not None:
            row.width, row.height = measures.width, measures.height
            row.sharpness, row.faces = measures.sharpness, measures.faces
            row.poor = bool(
                measures.problems(
                    settings.photo_min_side, settings.photo_min_sharpness, settings.photo_require_face
                )
            )
        if row.poor:
            result.poor.append(row)
        result.photos += 1
    else:
        result.voices += 1
    turn.session.add(row)
    turn.session.flush()
    kept.add(row.vk_ref or "", file_id)


def take_media(turn: Turn, order: WlOrder) -> MediaResult:
    """Download this message's photos and recordings into the order (largest size, bounded bytes)."""
    result = MediaResult()
    words = caption(turn)
    found = [(kind, att) for att in turn.msg.attachments if (kind := media_kind(att)) is not None]
    if found:
        kept = _Kept.read(turn, order)
        for kind, att in found:
            _store(turn, order, kept, kind, att.url, att.vk_ref, result, words)
    return result


def adopt_pending(turn: Turn, order: WlOrder) -> MediaResult:
    """After consent: fetch what was sent before it, and forget the references."""
    result = MediaResult()
    if known.is_absent(turn.session, "pending", turn.msg.peer_id):
        return result  # the batch's preload found none, and none was kept since
    with known.reading(turn.session, WlPendingAttachment):
        pending = turn.session.exec(
            select(WlPendingAttachment)
            .where(WlPendingAttachment.peer_id == turn.msg.peer_id)
            .order_by(col(WlPendingAttachment.id))
        ).all()
    if not pending:
        return result
    kept = _Kept.read(turn, order)
    for item in pending:
        _store(turn, order, kept, item.kind, item.url, item.vk_ref, result, item.caption)
        turn.session.delete(item)
    return result


def ask_about_poor(turn: Turn, result: MediaResult) -> None:
    """Ask kindly, once per photo, whether a better one exists; the photo is kept either way."""
    fresh = [row for row in result.poor if not row.asked_better]
    if not fresh:
        return
    for row in fresh:
        row.asked_better = True
        turn.session.add(row)
    turn.say(turn.t("intake.media.poor_photo"))


def acknowledge(turn: Turn, result: MediaResult, total_photos: int) -> None:
    if result.photos:
        turn.say(turn.t("intake.media.photos_received", count=result.photos, total=total_photos))
    if result.voices:
        turn.say(turn.t("intake.media.voice_received"))
    if result.failed:
        turn.say(turn.t("intake.media.failed"))
    if result.duplicates and not result.photos and not result.voices:
        turn.say(turn.t("intake.media.duplicate"))
    ask_about_poor(turn, result)


_FILE_COUNTS = (
    select(WlFile.kind, func.count()).where(WlFile.order_id == bindparam("order_id")).group_by(WlFile.kind)
)


def file_counts(turn: Turn, order: WlOrder) -> dict[str, int]:
    """How many files of each kind ("photo", "voice") the order holds, in one query."""
    with known.reading(turn.session, WlFile):
        return {kind: int(n) for kind, n in turn.session.exec(_FILE_COUNTS, params={"order_id": order.id})}


def photo_count(turn: Turn, order: WlOrder) -> int:
    return file_counts(turn, order).get("photo", 0)
