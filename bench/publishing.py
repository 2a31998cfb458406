"""Benchmark of publishing: plan and publish N approved clips over simulated weeks on the sandbox.

Usage: ``.venv/bin/python bench/publishing.py [--clips 1000] [--slots-per-day 24]``. The sandbox runs in its
own process. N delivered orders with consent are drafted, asked and approved ("publish as is") in
process; then a manual clock steps hour by hour through the weeks the calendar needs, and each hour
runs the production ``PublishingJob`` (plan -> outbox rows) and drains the production ``OutboxSender``
with the publishing executors (video.save -> upload -> wall.post with a guid) through ``VkClient``.

Figures: ``plan_ms_per_post`` is the planner's wall time summed over all passes, per post;
``plan_pass_vs_empty`` compares a planning pass with the backlog to a pass on an empty calendar
measured in the same run (the baseline); ``calls_per_post`` counts the sandbox's video.save, wall.post
and wall.get calls per post; ``double_posts`` is live wall posts beyond one per clip (or a clip with
two posts). Last line: ``{"clips": n, "plan_ms_per_post": x, "calls_per_post": x, "double_posts": 0, ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlmodel import Session, select

from bench.common import GROUP_ID, TOKEN, machine, sandbox_process
from publishing import PublishingSettings, PubPost, answer, plan
from vkbot.api.client import VkClient
from vkbot.api.tokens import StaticUserToken
from vkbot.clock import ManualClock
from vkbot.core.store.db import make_engine, migrate
from vkbot.effects.outbox import OutboxSender
from vkbot.effects.publisher import PublishingJob, publishing_executors
from vkbot.sandbox import SandboxControl
from waitlist.consent import set_publication
from waitlist.filestore import LocalFileStore
from waitlist.inbound import InboundMessage
from waitlist.models import WlOrder
from waitlist.settings import WaitlistSettings

START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
FIRST_PEER = 800_000
CLIP = b"\x00\x00\x00\x18ftypmp42" + b"bench clip " * 200


def _settings(slots_per_day: int) -> PublishingSettings:
    times = tuple(
        f"{(8 + i * 14 // max(1, slots_per_day)) % 24:02d}:{(i * 7) % 60:02d}" for i in range(slots_per_day)
    )
    return PublishingSettings(slot_times=times, max_posts_per_day=min(50, slots_per_day))


def _approved_backlog(
    engine: Any, files: LocalFileStore, clock: ManualClock, settings: PublishingSettings, n: int
) -> None:
    file_id = files.put(CLIP)
    now = clock.now()
    with Session(engine) as session:
        for i in range(n):
            order = WlOrder(
                status="delivered",
                peer_id=FIRST_PEER + i,
                subject_name=f"Имя Отчество Фамилия {i}",
                clip_file_id=file_id,
                created_at=now,
                updated_at=now,
                delivered_at=now,
            )
            session.add(order)
            session.flush()
            set_publication(session, order, True, "ru", WaitlistSettings(), now)
        plan(session, settings, clock)  # drafts and asks every family
        for post, order in session.exec(select(PubPost, WlOrder).join(WlOrder)).all():
            payload = {"pub": "yes", "post": post.id}
            msg = InboundMessage(f"bench:{post.id}", order.peer_id, order.peer_id, "", now, payload=payload)
            answer(session, msg, settings, now)
        session.commit()


def _timed_pass(engine: Any, settings: PublishingSettings, clock: ManualClock) -> float:
    with Session(engine) as session:
        started = time.perf_counter()
        plan(session, settings, clock)
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed


async def main_async(clips: int, slots_per_day: int) -> dict[str, Any]:
    settings = _settings(slots_per_day)
    with tempfile.TemporaryDirectory() as tmp, sandbox_process(rate_per_s=1000) as url:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        files = LocalFileStore(Path(tmp) / "files")
        clock = ManualClock(START)
        empty_pass = min(_timed_pass(engine, settings, clock) for _ in range(5))  # the baseline
        _approved_backlog(engine, files, clock, settings, clips)
        backlog_pass = min(_timed_pass(engine, settings, clock) for _ in range(5))
        async with aiohttp.ClientSession() as http:
            control = SandboxControl(http, url)
            user = (await control.mint_user_token(rate_per_s=1000))["access_token"]
            client = VkClient(
                http,
                base_url=f"{url}/method/",
                token=TOKEN,
                user_tokens=StaticUserToken(user),
                user_rate_per_s=1000,
            )
            sender = OutboxSender(engine, client, clock, idle_poll_s=0.01, batch_size=200)
            sender.executors.update(publishing_executors(engine, files, client, settings, clock, GROUP_ID))
            job = PublishingJob(engine, settings, clock, GROUP_ID)
            plan_s, hours = 0.0, 0
            while True:
                started = time.perf_counter()
                await job.run_once()
                plan_s += time.perf_counter() - started
                while await sender.drain_once():
                    pass
                with Session(engine) as session:
                    left = session.exec(select(PubPost).where(PubPost.status == "queued")).first()
                if left is None or hours > 24 * 400:
                    break
                clock.advance(hours=1)
                hours += 1
            wall = await control.wall()
            calls = (await control.calls())["methods"]
            await client.aclose()
        live = [p for p in wall["posts"] if not p.get("deleted")]
        videos = Counter(
            a["video"]["id"] for p in live for a in p.get("attachments", []) if a.get("type") == "video"
        )
        with Session(engine) as session:
            posted = session.exec(select(PubPost).where(PubPost.status == "posted")).all()
            per_day = Counter(p.posted_at.astimezone(settings.zone()).date() for p in posted if p.posted_at)
        engine.dispose()
    double = max(0, len(live) - clips) + sum(1 for n in videos.values() if n > 1)
    return {
        "clips": clips,
        "posted": len(posted),
        "simulated_days": round(hours / 24, 1),
        "max_posts_per_local_day": max(per_day.values(), default=0),
        "cap": settings.max_posts_per_day,
        "plan_ms_per_post": round(plan_s * 1000 / max(1, clips), 3),
        "plan_pass_ms_backlog": round(backlog_pass * 1000, 2),
        "plan_pass_ms_empty": round(empty_pass * 1000, 2),
        "plan_pass_vs_empty": round(backlog_pass / empty_pass, 1) if empty_pass else None,
        "calls_per_post": round(
            sum(calls.get(m, 0) for m in ("video.save", "wall.post", "wall.get")) / max(1, clips), 2
        ),
        "double_posts": double,
        **machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=1000)
    parser.add_argument("--slots-per-day", type=int, default=24)
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args.clips, args.slots_per_day))
    print(
        f"{result['posted']} of {result['clips']} clips posted over {result['simulated_days']} simulated days"
    )
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["double_posts"] == 0 and result["posted"] == result["clips"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
