"""Fakes of the ports and a photo maker, for tests and the demo's simulated relatives (no network, no VK)."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel

from waitlist.alerts import FounderAlert, founder_alerts
from waitlist.effects import Reply
from waitlist.inbound import InboundAttachment, InboundMessage
from waitlist.notify import due_notifications
from waitlist.ports import Clock, DownloadError, FileStore
from waitlist.retention import SweepReport, sweep
from waitlist.service import handle_message
from waitlist.settings import WaitlistSettings

_EVENTS = itertools.count(1)  # unique event keys across desks, as VK message ids are

__all__ = [
    "SCRIPTS",
    "Desk",
    "DictDownloader",
    "FakeClock",
    "RecordingTexts",
    "complete_order",
    "make_photo",
    "memory_engine",
]


@dataclass
class FakeClock:
    """A clock tests move by hand, for the domain's own tests (which never import vkbot and so its
    ManualClock); anything with ``now()`` may be given to ``Desk``."""

    at: datetime = field(default_factory=lambda: datetime(2026, 11, 25, 10, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class DictDownloader:
    """Serves bytes from a dict by URL; unknown URLs and oversized files fail like the real one."""

    files: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    def fetch(self, url: str, max_bytes: int) -> bytes:
        self.fetched.append(url)
        data = self.files.get(url)
        if data is None:
            raise DownloadError(f"no file at {url}")
        if len(data) > max_bytes:
            raise DownloadError(f"{url}: {len(data)} bytes is over the limit of {max_bytes}")
        return data


@dataclass
class RecordingTexts:
    """vkbot's message store as the domain sees it: erasures are recorded, evidence counted."""

    evidence: dict[int, int] = field(default_factory=dict)
    erased: list[tuple[int, bool]] = field(default_factory=list)

    def erase_texts(self, peer_id: int, keep_evidence: bool) -> int:
        self.erased.append((peer_id, keep_evidence))
        return 1

    def count_evidence(self, peer_id: int) -> int:
        return self.evidence.get(peer_id, 0)


def make_photo(*, face: bool = True, sharp: bool = True, side: int = 900, seed: int = 0) -> bytes:
    """A JPEG: a drawn face OpenCV's Haar cascade finds (or a plain scene), sharp or blurred."""
    rng = np.random.default_rng(seed)
    img: np.ndarray[Any, Any] = np.full((side, side), 120, np.uint8)
    c = side // 2
    if face:
        cv2.ellipse(img, (c, c), (int(side * 0.25), int(side * 0.33)), 0, 0, 360, 200, -1)
        for dx in (-1, 1):
            cv2.ellipse(
                img,
                (c + dx * int(side * 0.1), c - int(side * 0.1)),
                (int(side * 0.06), int(side * 0.03)),
                0,
                0,
                360,
                20,
                -1,
            )
            y = c - int(side * 0.17)
            cv2.line(
                img,
                (c + dx * int(side * 0.04), y),
                (c + dx * int(side * 0.16), y),
                20,
                max(1, int(side * 0.02)),
            )
        cv2.ellipse(img, (c, c + int(side * 0.17)), (int(side * 0.08), int(side * 0.02)), 0, 0, 360, 60, -1)
    else:
        cv2.rectangle(img, (side // 5, side // 5), (side * 3 // 5, side * 4 // 5), 60, -1)
    img = cv2.GaussianBlur(img, (5, 5), 0)
    if sharp:
        # Fine texture, like skin and fabric in a real photo, gives the Laplacian something to see.
        img = np.clip(img.astype(np.int16) + rng.integers(-25, 26, img.shape), 0, 255).astype(np.uint8)
    else:
        img = cv2.GaussianBlur(img, (31, 31), 0)
    ok, encoded = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return encoded.tobytes()


class Desk:
    """The community's side of conversations, for tests and the demo: each message in its own transaction."""

    def __init__(
        self,
        engine: Engine,
        files: FileStore,
        *,
        settings: WaitlistSettings | None = None,
        clock: Clock | None = None,  # vkbot's ManualClock in tests that have it; FakeClock here
    ) -> None:
        self.engine = engine
        self.files = files
        self.settings = settings or WaitlistSettings()
        self.clock = clock or FakeClock()
        self.downloader = DictDownloader()
        self.texts = RecordingTexts()
        self.alerts: list[FounderAlert] = []  # what the founder was told, as vkbot would send it

    def attachment(self, data: bytes, kind: str = "photo", ext: str = "jpg") -> InboundAttachment:
        url = f"https://sun.userapi.test/{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
        self.downloader.files[url] = data
        return InboundAttachment(
            kind=kind, url=url, vk_ref=f"{kind}1_{len(self.downloader.files)}", size_bytes=len(data), ext=ext
        )

    def message(
        self,
        peer_id: int,
        text: str = "",
        *,
        photos: tuple[bytes, ...] = (),
        voice: bytes | None = None,
        payload: dict[str, Any] | None = None,
        forwarded: tuple[str, ...] = (),
        sticker: bool = False,
        event_key: str | None = None,
    ) -> InboundMessage:
        attachments = [self.attachment(p) for p in photos]
        if voice is not None:
            attachments.append(self.attachment(voice, "audio_message", "ogg"))
        if sticker:
            attachments.append(InboundAttachment(kind="sticker", url=None, vk_ref="sticker_1"))
        return InboundMessage(
            event_key=event_key or f"msg:{next(_EVENTS)}",
            peer_id=peer_id,
            from_id=peer_id,
            text=text,
            date=self.clock.now(),
            attachments=tuple(attachments),
            forwarded_texts=forwarded,
            payload=payload,
        )

    def handle(self, msg: InboundMessage, founder_active: bool = False, urgent: bool = False) -> list[Reply]:
        with Session(self.engine) as session:
            replies = handle_message(
                session,
                msg,
                settings=self.settings,
                clock=self.clock,
                files=self.files,
                downloader=self.downloader,
                texts=self.texts,
                founder_active=founder_active,
                urgent=urgent,
            )
            self.alerts += founder_alerts(session, msg.event_key)
            session.commit()
        return replies

    def send(self, peer_id: int, text: str = "", **kwargs: Any) -> list[Reply]:
        return self.handle(self.message(peer_id, text, **kwargs))

    def due(self) -> list[Reply]:
        with Session(self.engine) as session:
            replies = due_notifications(session, settings=self.settings, clock=self.clock)
            session.commit()
        return replies

    def sweep(self) -> SweepReport:
        with Session(self.engine) as session:
            report = sweep(session, self.settings, self.clock, self.files, self.texts)
            session.commit()
        return report


def memory_engine() -> Engine:
    """An in-memory SQLite database with every table, shared by all sessions of one test."""
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    SQLModel.metadata.create_all(engine)
    return engine


# What a relative types at each question, per language: free words only, no buttons.
SCRIPTS: dict[str, dict[str, str]] = {
    "ru": {
        "hello": "Здравствуйте, у нас умерла мама, можно сделать ролик?",
        "yes": "да",
        "subject": "Мария Ивановна",
        "relation": "мама",
        "done": "готово",
        "story": "Она всю жизнь работала учительницей и очень любила свой сад.",
        "wishes": "Хотим белых птиц и песню",
        "contact": "+7 900 123-45-67",
        "confirm": "всё верно",
    },
    "uk": {
        "hello": "Доброго дня, у нас померла мама, чи можна зробити ролик?",
        "yes": "так",
        "subject": "Марія Іванівна",
        "relation": "мама",
        "done": "готово",
        "story": "Вона все життя працювала вчителькою і дуже любила свій сад.",
        "wishes": "Хочемо білих птахів і пісню",
        "contact": "+380 67 123 4567",
        "confirm": "усе вірно",
    },
    "en": {
        "hello": "Hello, my mother passed away, could you make a video?",
        "yes": "yes",
        "subject": "Mary Smith",
        "relation": "mother",
        "done": "done",
        "story": "She was a teacher all her life and loved her garden dearly.",
        "wishes": "White birds and a song please",
        "contact": "+44 7700 900123",
        "confirm": "all correct",
    },
}


def complete_order(
    desk: Desk, peer_id: int, lang: str = "ru", *, photos: int = 1, publish: bool = True
) -> list[Reply]:
    """Walk one relative through the whole intake in words; returns the last replies (number and place)."""
    words = SCRIPTS[lang]
    desk.send(peer_id, words["hello"])
    desk.send(peer_id, words["yes"])  # consent
    desk.send(peer_id, words["subject"])
    desk.send(peer_id, words["relation"])
    if photos:
        desk.send(peer_id, photos=tuple(make_photo(seed=peer_id * 10 + i) for i in range(photos)))
    desk.send(peer_id, words["done"])
    desk.send(peer_id, words["story"])
    desk.send(peer_id, words["done"])
    desk.send(peer_id, words["wishes"])
    desk.send(peer_id, words["contact"])
    desk.send(peer_id, words["yes"])  # may we write first
    desk.send(peer_id, words["yes"] if publish else {"ru": "нет", "uk": "ні", "en": "no"}[lang])
    return desk.send(peer_id, words["confirm"])
