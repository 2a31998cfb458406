"""End to end against the sandbox: the planner's rows become a real wall post (video attached), once.

The suite's pieces are the production ones: ``PublishingJob`` writes outbox rows, an ``OutboxSender``
with the publishing executors sends them through ``VkClient`` to the sandbox's video.save, upload
server and wall.post.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import publishing
from publishing import PublishingSettings, PubPost, handed_to_founder, takedowns_for_founder
from publishing.calendar import move, pause, resume
from publishing.comments import memorial_post, set_comments
from tests.app_helpers import eventually
from vkbot.api.client import VkClient
from vkbot.api.tokens import StaticUserToken
from vkbot.clock import ManualClock
from vkbot.core.store.db import make_engine, migrate
from vkbot.core.store.models import OutboxRow
from vkbot.effects.delivery import delivery_executors
from vkbot.effects.outbox import OutboxSender, enqueue
from vkbot.effects.publisher import PublishingJob, effect_requests, publishing_executors, publishing_outcome
from vkbot.sandbox import SandboxControl
from vkbot.sandbox.client import SandboxControlError
from waitlist.consent import set_publication
from waitlist.filestore import LocalFileStore
from waitlist.inbound import InboundMessage
from waitlist.models import WlOrder
from waitlist.settings import WaitlistSettings

GROUP_ID = 1001
PEER = 7001
FOUNDER = 4242
TOKEN = "sandbox-community-token"
SETTINGS = PublishingSettings()  # daily 19:00 Moscow = 16:00 UTC
MORNING = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CLIP = b"\x00\x00\x00\x18ftypmp42" + b"memorial clip " * 5000


@dataclass
class Suite:
    engine: Engine
    clock: ManualClock
    files: LocalFileStore
    job: PublishingJob
    sender: OutboxSender
    settings: PublishingSettings = SETTINGS
    auto_approve: bool = True  # every family asked answers "publish as is" (press of the button)

    async def tick(self) -> None:
        """One scheduler pass and one outbox drain, as the running app would do them."""
        await self.job.run_once()
        if self.auto_approve:
            self.answer_all("yes")
        await self.drain()

    async def drain(self, deadline_s: float = 60) -> None:
        """Send until no row is pending (retries included), with a generous deadline."""
        loop = asyncio.get_running_loop()
        until = loop.time() + deadline_s
        while True:
            while await self.sender.drain_once():
                pass
            # Rows due within moments (a retry): the clock moves on to the first of them. A look at
            # the wall hours ahead is not waited for.
            now = self.clock.now()
            pending = [
                r.not_before.replace(tzinfo=r.not_before.tzinfo or UTC)
                for r in self.outbox()
                if r.status == "pending"
            ]
            soon = [due for due in pending if due <= now + timedelta(seconds=5)]
            if not soon or loop.time() > until:
                return
            self.clock.set(max(now, min(soon)))
            await asyncio.sleep(0.05)

    def answer_all(self, choice: str, text: str = "") -> None:
        """Each family with an open approval question presses ``choice`` (or writes ``text``)."""
        with Session(self.engine) as session:
            asked = session.exec(select(PubPost).where(PubPost.status == "awaiting")).all()
            for post in asked:
                order = session.get(WlOrder, post.order_id)
                assert order is not None and order.peer_id is not None
                payload = {"pub": choice, "post": post.id} if choice else None
                msg = InboundMessage(
                    f"evt:{post.guid}:{choice}:{text}",
                    order.peer_id,
                    order.peer_id,
                    text,
                    self.clock.now(),
                    payload=payload,
                )
                publishing.answer(session, msg, self.settings, self.clock.now())
            session.commit()

    def delivered_order(self, name: str, consent: bool) -> int:
        now = self.clock.now()
        with Session(self.engine) as session:
            order = WlOrder(
                status="delivered",
                peer_id=PEER + len(self.posts()) + len(list(session.exec(select(WlOrder)))),
                subject_name=name,
                clip_file_id=self.files.put(CLIP),
                created_at=now,
                updated_at=now,
                delivered_at=now,
            )
            session.add(order)
            session.flush()
            set_publication(session, order, consent, "ru", WaitlistSettings(), now)
            session.commit()
            assert order.id is not None
            return order.id

    def revoke(self, order_id: int) -> None:
        with Session(self.engine) as session:
            order = session.get(WlOrder, order_id)
            assert order is not None
            set_publication(session, order, False, "ru", WaitlistSettings(), self.clock.now())
            session.commit()

    def posts(self) -> list[PubPost]:
        with Session(self.engine) as session:
            return list(session.exec(select(PubPost).order_by(PubPost.id)))  # type: ignore[arg-type]

    def outbox(self) -> list[OutboxRow]:
        with Session(self.engine) as session:
            return list(session.exec(select(OutboxRow).order_by(OutboxRow.id)))  # type: ignore[arg-type]


async def make_suite(
    tmp_path: Path,
    sandbox: SandboxControl,
    http: aiohttp.ClientSession,
    user_token: str | None,
    *,
    timeout_s: float = 30,
    settings: PublishingSettings = SETTINGS,
    start: datetime = MORNING,
) -> AsyncIterator[Suite]:
    engine = make_engine(f"sqlite:///{tmp_path / 'suite.db'}")
    await asyncio.to_thread(migrate, engine)
    client = VkClient(
        http,
        base_url=f"{sandbox.url}/method/",
        token=TOKEN,
        user_tokens=StaticUserToken(user_token),
        user_rate_per_s=20,
        backoff_base_s=0.05,
        timeout_s=timeout_s,
    )
    for user_id in (FOUNDER, *range(PEER, PEER + 10)):  # they allowed messages from the community
        await sandbox.allow(user_id)
    clock = ManualClock(start)
    files = LocalFileStore(tmp_path / "files")
    sender = OutboxSender(
        engine, client, clock, idle_poll_s=0.05, retry_base_s=0.01, retry_max_s=0.05, max_attempts=3
    )
    sender.executors.update(delivery_executors(files, client, GROUP_ID))
    sender.executors.update(publishing_executors(engine, files, client, settings, clock, GROUP_ID, FOUNDER))
    sender.on_outcome = publishing_outcome(settings, clock, FOUNDER)
    job = PublishingJob(engine, settings, clock, GROUP_ID, on_enqueued=sender.wake.set, founder_id=FOUNDER)
    try:
        yield Suite(engine, clock, files, job, sender, settings)
    finally:
        await client.aclose()
        engine.dispose()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def suite(tmp_path: Path, sandbox: SandboxControl, http: aiohttp.ClientSession) -> AsyncIterator[Suite]:
    token = (await sandbox.mint_user_token(rate_per_s=50))["access_token"]
    async for built in make_suite(tmp_path, sandbox, http, token):
        yield built


@pytest.fixture
async def suite_without_user_token(
    tmp_path: Path, sandbox: SandboxControl, http: aiohttp.ClientSession
) -> AsyncIterator[Suite]:
    async for built in make_suite(tmp_path, sandbox, http, None):
        yield built


def live(wall: dict) -> list[dict]:  # type: ignore[type-arg]
    return [p for p in wall["posts"] if not p.get("deleted")]


async def test_a_consented_clip_appears_on_the_wall_once_with_its_video(
    suite: Suite, sandbox: SandboxControl
) -> None:
    suite.delivered_order("Иван Петров", consent=True)
    await suite.tick()
    assert (await sandbox.wall())["posts"] == []  # queued for 19:00

    suite.clock.advance(hours=7)
    await suite.tick()
    [post] = (await sandbox.wall())["posts"]
    assert "Иван Петров" in post["text"]
    assert post["from_id"] == -GROUP_ID
    [attachment] = post["attachments"]
    assert attachment["type"] == "video" and attachment["video"]["owner_id"] == -GROUP_ID
    [row] = suite.posts()
    assert (row.status, row.vk_post_id, row.vk_video) == (
        "posted",
        post["id"],
        f"video{-GROUP_ID}_{attachment['video']['id']}",
    )

    # The next minutes and days: nothing more goes up.
    for _ in range(3):
        suite.clock.advance(minutes=1)
        await suite.tick()
    suite.clock.advance(days=1)
    await suite.tick()
    assert len((await sandbox.wall())["posts"]) == 1


async def test_a_row_sent_again_after_a_crash_does_not_post_twice(
    suite: Suite, sandbox: SandboxControl
) -> None:
    suite.delivered_order("Анна", consent=True)
    await suite.tick()  # queued for 19:00 today
    suite.clock.advance(hours=7)
    await suite.tick()
    [first] = live(await sandbox.wall())

    # A crash after VK posted but before we recorded it: the row is pending again, the post queued.
    with Session(suite.engine) as session:
        for row in session.exec(select(OutboxRow).where(OutboxRow.kind == "publish_clip")):
            row.status, row.result = "pending", None
            session.add(row)
        for post in session.exec(select(PubPost)):
            post.status, post.vk_post_id = "queued", None
            session.add(post)
        session.commit()
    await suite.tick()

    assert [p["id"] for p in live(await sandbox.wall())] == [first["id"]]
    calls = (await sandbox.calls())["methods"]
    # It looked on the wall first and found its post: wall.post was not even called again.
    assert calls.get("wall.post") == 1 and calls.get("wall.get", 0) >= 1
    assert suite.posts()[0].vk_post_id == first["id"]
    assert (await sandbox.calls())["methods"].get("video.save") == 1  # the video was not uploaded again


async def test_a_revocation_after_posting_takes_the_post_down(suite: Suite, sandbox: SandboxControl) -> None:
    order_id = suite.delivered_order("Отозвали", consent=True)
    await suite.tick()
    suite.clock.advance(hours=7)
    await suite.tick()
    assert len(live(await sandbox.wall())) == 1

    suite.clock.advance(days=2)
    suite.revoke(order_id)
    await suite.tick()
    [post] = (await sandbox.wall())["posts"]
    assert post["deleted"] is True
    assert suite.posts()[0].status == "withdrawn"


async def test_a_revocation_before_the_slot_means_nothing_goes_up(
    suite: Suite, sandbox: SandboxControl
) -> None:
    order_id = suite.delivered_order("До слота", consent=True)
    await suite.tick()
    suite.revoke(order_id)
    suite.clock.advance(hours=7)
    await suite.tick()
    assert (await sandbox.wall())["posts"] == []
    assert (await sandbox.calls())["methods"].get("video.save") is None


async def test_without_a_user_token_the_founder_gets_a_ready_post_and_nothing_is_lost(
    suite_without_user_token: Suite, sandbox: SandboxControl, caplog: pytest.LogCaptureFixture
) -> None:
    suite = suite_without_user_token
    order_id = suite.delivered_order("Без токена", consent=True)
    await suite.tick()
    suite.clock.advance(hours=7)
    with caplog.at_level(logging.WARNING, logger="vkbot.effects.publisher"):
        await suite.tick()
        suite.clock.advance(minutes=1)
        await suite.tick()

    assert (await sandbox.wall())["posts"] == []
    with Session(suite.engine) as session:
        [handed] = handed_to_founder(session)
    assert (handed.order_id, handed.status) == (order_id, "handed_to_founder")
    [row] = [r for r in suite.outbox() if r.kind == "publish_clip"]
    assert row.status == "done" and row.result is not None
    assert handed.caption in row.result["text"] and handed.file_id in row.result["text"]
    assert suite.files.exists(handed.file_id)
    warnings = [r for r in caplog.records if "ready post" in r.getMessage()]
    assert len(warnings) == 1  # logged once, not every minute


async def test_a_takedown_without_a_user_token_tells_the_founder_which_post(
    suite: Suite, sandbox: SandboxControl, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    order_id = suite.delivered_order("Снять вручную", consent=True)
    await suite.tick()
    suite.clock.advance(hours=7)
    await suite.tick()
    [post] = live(await sandbox.wall())

    # The token is gone by the time the family revokes: the same store, a sender without a user token.
    suite.revoke(order_id)
    client = VkClient(http, base_url=f"{sandbox.url}/method/", token=TOKEN)
    sender = OutboxSender(suite.engine, client, suite.clock)
    sender.executors.update(
        publishing_executors(suite.engine, suite.files, client, SETTINGS, suite.clock, GROUP_ID)
    )
    try:
        await suite.job.run_once()
        await sender.drain_once()
    finally:
        await client.aclose()

    assert live(await sandbox.wall()) == [post]  # still up: only the founder can take it down now
    delete_row = suite.outbox()[-1]
    assert delete_row.kind == "publish_delete" and delete_row.status == "done"
    assert f"wall-{GROUP_ID}_{post['id']}" in delete_row.result["text"]
    with Session(suite.engine) as session:
        assert [p.vk_post_id for p in takedowns_for_founder(session)] == [post["id"]]


async def test_an_answer_lost_after_wall_post_gives_exactly_one_post(
    tmp_path: Path, sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    token = (await sandbox.mint_user_token(rate_per_s=50))["access_token"]
    async for suite in make_suite(tmp_path, sandbox, http, token, timeout_s=3):
        suite.delivered_order("Таймаут", consent=True)
        await suite.tick()
        suite.clock.advance(hours=7)
        await sandbox.add_faults({"accept_then_timeout": "wall.post", "count": 1})
        await suite.tick()
        [post] = live(await sandbox.wall())
        [row] = [r for r in suite.outbox() if r.kind == "publish_clip"]
        assert row.status == "done"  # the first try's answer never came; the retry found the post
        assert suite.posts()[0].vk_post_id == post["id"]
        calls = (await sandbox.calls())["methods"]
        assert calls.get("video.save") == 1  # the clip was uploaded once


async def test_error_15_hands_the_slot_to_the_founder_with_clip_and_caption(
    suite: Suite, sandbox: SandboxControl
) -> None:
    await sandbox.set_rights(wall=False)
    order_id = suite.delivered_order("Без права", consent=True)
    await suite.tick()
    assert live(await sandbox.wall()) == [] and await sandbox.sent(FOUNDER) == []  # nothing before the slot
    suite.clock.advance(hours=7)
    await suite.tick()

    assert live(await sandbox.wall()) == []
    [post] = suite.posts()
    assert (post.order_id, post.status) == (order_id, "handed_to_founder") and "15" in (
        post.handoff_reason or ""
    )
    [message] = await sandbox.sent(FOUNDER)
    assert post.caption in message["text"]
    assert message["attachment"].startswith(("video", "doc"))  # the clip itself, ready to post
    assert [r.status for r in suite.outbox()] == ["done"] * len(suite.outbox())  # nothing stuck "queued"


async def test_a_revocation_after_posting_deletes_the_video_and_tells_the_family(
    suite: Suite, sandbox: SandboxControl
) -> None:
    order_id = suite.delivered_order("Снять", consent=True)
    await suite.tick()
    suite.clock.advance(hours=7)
    await suite.tick()
    assert len(live(await sandbox.wall())) == 1
    suite.revoke(order_id)
    await suite.tick()
    assert live(await sandbox.wall()) == []
    assert (await sandbox.calls())["methods"].get("video.delete") == 1
    with Session(suite.engine) as session:
        peer = session.get(WlOrder, order_id).peer_id  # type: ignore[union-attr]
    texts = [m["text"] for m in await sandbox.sent(peer)]
    assert any("удалён со стены" in t for t in texts)
    await suite.tick()
    assert len([t for t in [m["text"] for m in await sandbox.sent(peer)] if "удалён со стены" in t]) == 1


async def test_a_revocation_before_the_slot_cancels_and_tells_the_family(
    suite: Suite, sandbox: SandboxControl
) -> None:
    order_id = suite.delivered_order("Отменить", consent=True)
    await suite.tick()
    suite.revoke(order_id)
    await suite.tick()
    suite.clock.advance(hours=7)
    await suite.tick()
    assert live(await sandbox.wall()) == []
    with Session(suite.engine) as session:
        peer = session.get(WlOrder, order_id).peer_id  # type: ignore[union-attr]
    assert any("отменена" in m["text"] for m in await sandbox.sent(peer))


async def test_a_post_vk_refuses_for_good_is_handed_to_the_founder_not_left_queued(
    suite: Suite, sandbox: SandboxControl
) -> None:
    suite.delivered_order("Отказ", consent=True)
    await suite.tick()
    suite.clock.advance(hours=7)
    await sandbox.add_faults({"method": "wall.post", "error_code": 100, "count": 1})
    await suite.tick()
    assert live(await sandbox.wall()) == []
    [post] = suite.posts()
    assert post.status == "handed_to_founder" and "100" in (post.handoff_reason or "")
    [message] = await sandbox.sent(FOUNDER)
    assert post.caption in message["text"]


async def test_a_post_whose_retries_run_out_becomes_a_failure_handed_to_the_founder(
    suite: Suite, sandbox: SandboxControl
) -> None:
    suite.delivered_order("Сбой", consent=True)
    await suite.tick()
    suite.clock.advance(hours=7)
    await sandbox.add_faults({"method": "wall.post", "error_code": 10, "count": 1000})
    await suite.tick()
    assert live(await sandbox.wall()) == []
    [row] = [r for r in suite.outbox() if r.kind == "publish_clip"]
    assert (row.status, row.attempts) == ("parked", 3)
    [post] = suite.posts()
    assert post.status == "handed_to_founder" and post.failed_at == suite.clock.now()
    assert "10" in (post.handoff_reason or "") and "стену" in (post.handoff_reason or "")
    [message] = await sandbox.sent(FOUNDER)
    assert post.caption in message["text"] and "проверьте стену" in message["text"]
    with Session(suite.engine) as session:
        assert [p.id for p in publishing.handed_to_founder(session)] == [post.id]  # on her list too


async def test_no_comments_at_the_family_s_wish_and_the_founder_may_switch_them_later(
    suite: Suite, sandbox: SandboxControl
) -> None:
    suite.auto_approve = False
    suite.delivered_order("Тишина", consent=True)
    await suite.tick()
    suite.answer_all("closed")  # "Без комментариев"
    suite.clock.advance(hours=7)
    await suite.tick()
    [post] = live(await sandbox.wall())
    assert post["comments"]["can_post"] == 0, "posted with its comments closed"
    [row] = suite.posts()
    assert (row.status, row.comments, row.comments_closed_at) == ("posted", "closed", suite.clock.now())
    with pytest.raises(SandboxControlError, match="comments are closed"):
        await sandbox.add_comment(from_id=9001, post_id=post["id"], text="Соболезную")
    with Session(suite.engine) as session:
        assert memorial_post(session, post["id"]) and not memorial_post(session, post["id"] + 1)

    for closed in (False, True, False):  # the founder changes her mind twice: each switch sent once
        suite.clock.advance(minutes=1)
        with Session(suite.engine) as session:
            switch = set_comments(session, row.id or 0, closed, suite.clock.now())
            assert set_comments(session, row.id or 0, closed, suite.clock.now()) is None, "already so"
            enqueue(session, effect_requests([switch] if switch else [], GROUP_ID), now=suite.clock.now())
            session.commit()
        await suite.drain()
        [post] = live(await sandbox.wall())
        assert post["comments"]["can_post"] == (0 if closed else 1)
    await sandbox.add_comment(from_id=9001, post_id=post["id"], text="Соболезную")
    methods = (await sandbox.calls())["methods"]
    assert (methods.get("wall.openComments"), methods.get("wall.closeComments")) == (2, 1)


REPO = Path(__file__).resolve().parent.parent
_CHILD = """
import asyncio, sys
from pathlib import Path
import aiohttp
from publishing import PublishingSettings
from tests.app_helpers import eventually
from vkbot.api.client import VkClient
from vkbot.api.tokens import StaticUserToken
from vkbot.clock import ManualClock
from vkbot.core.store.db import make_engine
from vkbot.effects.outbox import OutboxSender
from vkbot.effects.publisher import publishing_executors
from waitlist.filestore import LocalFileStore

db, url, token, files, group, now = sys.argv[1:7]

async def main():
    async with aiohttp.ClientSession() as http:
        client = VkClient(http, base_url=url, token="sandbox-community-token",
                          user_tokens=StaticUserToken(token), timeout_s=600)
        clock = ManualClock(__import__("datetime").datetime.fromisoformat(now))
        sender = OutboxSender(make_engine(db), client, clock, lease_s=1)
        sender.executors.update(publishing_executors(
            sender.engine, LocalFileStore(Path(files)), client, PublishingSettings(), clock, int(group)))
        print("claiming", flush=True)
        await sender.drain_once()

asyncio.run(main())
"""


async def test_kill_9_while_wall_post_is_in_flight_gives_one_post_after_restart(
    suite: Suite, sandbox: SandboxControl, tmp_path: Path
) -> None:
    import signal
    import sys

    suite.delivered_order("Убит посреди", consent=True)
    await suite.tick()
    suite.clock.advance(hours=7)
    await suite.job.run_once()  # the publish row is in the outbox; a separate process will send it
    token = (await sandbox.mint_user_token(rate_per_s=50))["access_token"]
    await sandbox.add_faults({"accept_then_timeout": "wall.post", "count": 1})
    args = [
        str(suite.engine.url),
        f"{sandbox.url}/method/",
        token,
        str(tmp_path / "files"),
        str(GROUP_ID),
        suite.clock.now().isoformat(),
    ]
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", _CHILD, *args, cwd=REPO)
    try:
        loop = asyncio.get_running_loop()
        until = loop.time() + 120
        while not live(await sandbox.wall()) and loop.time() < until:  # VK made the post; no answer came
            await asyncio.sleep(0.1)
        assert live(await sandbox.wall()), "the child never reached wall.post"
    finally:
        child.send_signal(signal.SIGKILL)  # kill -9 before it could record anything
        await child.wait()
    [post] = live(await sandbox.wall())
    [pub] = suite.posts()
    assert pub.vk_post_id is None and pub.vk_video is not None  # the upload was recorded, the post not

    suite.clock.advance(seconds=1.5)  # the dead process's lease on the row runs out
    await suite.drain()
    assert [p["id"] for p in live(await sandbox.wall())] == [post["id"]]
    assert suite.posts()[0].vk_post_id == post["id"] and suite.posts()[0].status == "posted"
    assert (await sandbox.calls())["methods"].get("wall.post") == 1  # found on the wall, not posted again


# -- VK postponed posts (publish_date) ------------------------------------------------------------------
# The sandbox keeps VK's postponed list on real time, so these suites start now, with the slot two hours on.


@pytest.fixture
async def postponing(
    tmp_path: Path, sandbox: SandboxControl, http: aiohttp.ClientSession
) -> AsyncIterator[Suite]:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    local = (now + timedelta(hours=2)).astimezone(SETTINGS.zone())
    settings = PublishingSettings(postpone_on_vk=True, slot_times=(f"{local:%H:%M}",))
    token = (await sandbox.mint_user_token(rate_per_s=50))["access_token"]
    async for built in make_suite(tmp_path, sandbox, http, token, settings=settings, start=now):
        yield built


def postponed(wall: dict) -> list[dict]:  # type: ignore[type-arg]
    return [p for p in live(wall) if p["post_type"] == "postpone"]


async def handed_to_vk(suite: Suite, sandbox: SandboxControl, name: str = "Отложенный") -> PubPost:
    order_id = suite.delivered_order(name, consent=True)
    await suite.tick()  # asked and approved: the slot is two hours away
    await suite.tick()  # within postpone_ahead_hours: handed to VK now, with the slot as publish_date
    [post] = [p for p in suite.posts() if p.order_id == order_id]
    assert post.slot_at is not None and post.vk_postponed_id is not None and post.status == "queued"
    [on_vk] = postponed(await sandbox.wall())
    assert (on_vk["id"], on_vk["date"]) == (post.vk_postponed_id, int(post.slot_at.timestamp()))
    return post


async def slot_passes(
    suite: Suite, sandbox: SandboxControl, post: PubPost, *, vk_publishes: bool = True
) -> None:
    """The hours pass: VK publishes the postponed post at its date, and our look at the wall comes due."""
    assert post.slot_at is not None
    if vk_publishes:  # the sandbox's date moved to now: its next call publishes it, as VK would have
        past = int(datetime.now(UTC).timestamp()) - 1
        await suite.sender.client.call(
            "wall.edit", {"owner_id": -GROUP_ID, "post_id": post.vk_postponed_id, "publish_date": past}
        )

        async def published() -> bool:
            """the sandbox's publisher (every second) made it live"""
            return postponed(await sandbox.wall()) == []

        await eventually(published)
    suite.clock.set(post.slot_at + timedelta(minutes=3))  # the look at the wall is due two minutes after it
    await suite.tick()


async def test_a_postponed_post_goes_live_at_its_slot_and_the_calendar_records_the_live_post(
    postponing: Suite, sandbox: SandboxControl
) -> None:
    post = await handed_to_vk(postponing, sandbox)
    assert [p for p in live(await sandbox.wall()) if p["post_type"] == "post"] == []
    await slot_passes(postponing, sandbox, post)
    [row] = postponing.posts()
    [on_wall] = live(await sandbox.wall())
    assert on_wall["post_type"] == "post" and on_wall["text"] == row.caption
    assert (row.status, row.vk_post_id) == ("posted", on_wall["id"]) and on_wall["id"] != post.vk_postponed_id
    assert (await sandbox.calls())["methods"].get("wall.post") == 1


async def test_a_moved_post_is_taken_back_from_vk_and_a_revoked_one_deleted_from_vk_s_list(
    postponing: Suite, sandbox: SandboxControl
) -> None:
    post = await handed_to_vk(postponing, sandbox)
    with Session(postponing.engine) as session:
        move(
            session,
            postponing.settings,
            post.id or 0,
            post.slot_at + timedelta(days=1),
            postponing.clock.now(),
        )  # type: ignore[operator]
        session.commit()
    await postponing.tick()
    assert postponed(await sandbox.wall()) == [], "taken back from VK's postponed list"
    postponing.clock.advance(hours=3)  # the new slot is within a day now: handed to VK again
    await postponing.tick()
    [moved] = postponing.posts()
    [on_vk] = postponed(await sandbox.wall())
    assert moved.slot_at is not None and on_vk["date"] == int(moved.slot_at.timestamp())
    assert (on_vk["id"], moved.guid) != (post.vk_postponed_id, post.guid), "a new post under a new guid"

    postponing.revoke(moved.order_id)
    await postponing.tick()
    assert live(await sandbox.wall()) == []
    assert (await sandbox.calls())["methods"].get("video.delete") == 1
    with Session(postponing.engine) as session:
        peer = session.get(WlOrder, moved.order_id).peer_id  # type: ignore[union-attr]
    texts = [m["text"] for m in await sandbox.sent(peer)]
    assert len([t for t in texts if "отменена" in t]) == 1 and not [t for t in texts if "удалён" in t]


async def test_pause_takes_postponed_posts_back_and_one_deleted_on_vk_by_hand_is_a_failure(
    postponing: Suite, sandbox: SandboxControl
) -> None:
    await handed_to_vk(postponing, sandbox)
    with Session(postponing.engine) as session:
        pause(session, postponing.clock.now())
        session.commit()
    await postponing.tick()
    assert postponed(await sandbox.wall()) == [], "paused: nothing waits on VK to go up"
    with Session(postponing.engine) as session:
        resume(session, postponing.clock.now())
        session.commit()
    await postponing.tick()
    [again] = postponing.posts()
    assert again.vk_postponed_id is not None and len(postponed(await sandbox.wall())) == 1

    # Someone deletes it in VK's postponed list by hand: at the slot it is not live, and she is told.
    await postponing.sender.client.call(
        "wall.delete", {"owner_id": -GROUP_ID, "post_id": again.vk_postponed_id}
    )
    await slot_passes(postponing, sandbox, again, vk_publishes=False)
    [failed] = postponing.posts()
    assert failed.status == "handed_to_founder" and failed.failed_at is not None
    [message] = await sandbox.sent(FOUNDER)
    assert failed.caption in message["text"] and "did not go live" in message["text"]
