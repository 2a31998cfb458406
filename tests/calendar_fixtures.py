"""A publishing calendar to look at: three approved clips over two days, one posted, one handed to the
founder, made through the domain calls the running suite makes (plan, the family's answer, outcomes)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import publishing
from publishing import PublishingSettings, PubPost
from publishing.effects import publish_key
from vkbot.clock import ManualClock
from vkbot.config import Config, load_config
from vkbot.core.store.db import make_engine, migrate
from vkbot.dashboard.server import DashboardServer, dashboard_server
from vkbot.ops.health import HealthSources
from waitlist.consent import set_publication
from waitlist.filestore import LocalFileStore
from waitlist.inbound import InboundMessage
from waitlist.models import WlOrder
from waitlist.settings import WaitlistSettings

# Monday 2026-11-23, 09:00 in Moscow; slots at 12:00 and 19:00, two a day.
MONDAY_MORNING = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
SLOT_TIMES = "12:00,19:00"
NAMES = ("Николай Петрович Иванов", "Анна Сергеевна", "Олег")
PASSWORD = "a long enough password"


def clip_bytes(shade: int) -> bytes:
    """A real (tiny) MP4 whose first frame is one shade of grey, 64x48."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 5, (64, 48))
        for _ in range(3):
            writer.write(np.full((48, 64, 3), shade, np.uint8))
        writer.release()
        return path.read_bytes()


def calendar_config(folder: Path) -> Config:
    return load_config(
        None,
        environ={
            "VKBOT_VK__GROUP_ID": "1001",
            "VKBOT_STORAGE__DATABASE_URL": f"sqlite:///{folder / 'suite.db'}",
            "VKBOT_STORAGE__FILES_DIR": str(folder / "files"),
            "VKBOT_DASHBOARD__ENABLED": "true",
            "VKBOT_DASHBOARD__PORT": "0",
            "VKBOT_DASHBOARD__PASSWORD": PASSWORD,
            "VKBOT_PUBLISHING__SLOT_TIMES": SLOT_TIMES,
            "VKBOT_PUBLISHING__MAX_POSTS_PER_DAY": "2",
        },
    )


@dataclass
class Seeded:
    posted: int  # Monday 12:00, on the wall
    queued: int  # Monday 19:00
    handed: int  # Tuesday 12:00, handed to the founder (no wall right)
    clips: dict[int, bytes]  # post id -> the clip's bytes


def seed(engine: Engine, settings: PublishingSettings, files: LocalFileStore, clock: ManualClock) -> Seeded:
    now = clock.now()
    clips: dict[int, bytes] = {}
    with Session(engine) as session:
        for i, name in enumerate(NAMES):
            data = clip_bytes(60 + 60 * i)
            order = WlOrder(
                number=101 + i,
                status="delivered",
                peer_id=8001 + i,
                subject_name=name,
                clip_file_id=files.put(data),
                created_at=now,
                updated_at=now,
                delivered_at=now,
            )
            session.add(order)
            session.flush()
            set_publication(session, order, True, "ru", WaitlistSettings(), now)
            clips[order.id or 0] = data
        session.commit()
    with Session(engine) as session:
        publishing.plan(session, settings, clock)  # drafts the posts and asks the families
        session.commit()
    with Session(engine) as session:
        posts = session.exec(select(PubPost).order_by(col(PubPost.id))).all()
        for post in posts:  # first approved, first published
            order = session.get(WlOrder, post.order_id)
            assert order is not None and order.peer_id is not None
            msg = InboundMessage(
                f"evt:{post.guid}",
                order.peer_id,
                order.peer_id,
                "",
                now,
                payload={"pub": "yes", "post": post.id},
            )
            publishing.answer(session, msg, settings, now)
        session.commit()
        first, second, third = (p.id or 0 for p in posts)
        by_post = {p.id or 0: clips[p.order_id] for p in posts}
        guids = {p.id: p.guid for p in posts}
    with Session(engine) as session:
        publishing.record_posted(session, publish_key(guids[first]), 777, at=now)
        publishing.record_handed_to_founder(
            session, publish_key(guids[third]), "no wall right (VK error 15)", settings, at=now
        )
        session.commit()
    return Seeded(first, second, third, by_post)


class _Listener:
    state = "polling"
    last_poll_at = None
    last_event_at = None
    consecutive_failures = 0
    ts = None


@contextlib.asynccontextmanager
async def calendar_site(folder: Path) -> AsyncIterator[tuple[DashboardServer, Seeded]]:
    """The dashboard served (port 0) over the seeded calendar, its clock on Monday morning."""
    config = calendar_config(folder)
    engine = make_engine(config.storage.database_url)
    await asyncio.to_thread(migrate, engine)
    clock = ManualClock(MONDAY_MORNING)
    seeded = seed(engine, config.publishing, LocalFileStore(config.storage.files_dir), clock)
    health = HealthSources(engine, 1, _Listener(), clock=clock)
    server = dashboard_server(config, engine, health, wake=lambda: None, clock=clock)
    assert server is not None
    stop = asyncio.Event()
    task = asyncio.create_task(server.run(stop))
    try:
        await asyncio.wait_for(server.started.wait(), 10)
        yield server, seeded
    finally:
        stop.set()
        await task
        engine.dispose()
