"""The demo's simulated people against the real suite: relatives answer what the bot asks (never a button
id), the founder moves the queue, people on the waiting list come back when invited, and a restart of the
traffic adds nothing twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

import i18n
from publishing import PubPost
from tests.app_helpers import SANDBOX_GROUP_ID as GROUP
from tests.app_helpers import eventually, running_app, sandbox_config
from tests.test_intake_sandbox import intake_config, wire
from vkbot.auth.secretbox import new_key
from vkbot.clock import ManualClock, SystemClock
from vkbot.commands.demo import connect_admin_once
from vkbot.demo_traffic import OWN_CAPTIONS, QUESTIONS, DemoFounder, DemoTraffic, demo_clip, recognise
from vkbot.effects.publisher import PublishingJob
from vkbot.sandbox import SandboxControl
from waitlist.dialog import FLOWS

BUTTON_IDS = {
    answer for flow in FLOWS.values() for step in flow.values() for row in step.buttons for answer in row
}


def test_every_question_is_recognised_in_every_language_and_buttons_tell_the_rest() -> None:
    for lang in i18n.LANGUAGES:
        for key, step in QUESTIONS.items():
            text = "Спасибо, фото получено: 1.\n" + i18n.text(key, lang)
            assert recognise([text], []) == ("ask", step), (lang, key)
            typed = "intake.typed." + key.removeprefix("intake.")  # as an old client is asked
            if i18n.has(typed, lang):
                assert recognise([i18n.text(typed, lang)], []) == ("ask", step), (lang, typed)
        placed = i18n.text("intake.placed", lang, number=7, position=2, estimate="soon")
        assert recognise([placed], []) == ("end", "placed")
    wish = [{"label": "Крылья ангела", "payload": {"a": "wish:wings"}}]
    assert recognise(["Выбрано: объятия."], wish) == ("ask", "wishes")
    assert recognise(["Выбрано: объятия."], []) is None  # an acknowledgement asks nothing new


async def test_relatives_follow_the_dialog_and_the_founder_moves_the_queue(
    sandbox: SandboxControl, tmp_path: Path
) -> None:
    config = intake_config(sandbox, tmp_path, queue_limit=2)
    async with running_app(config) as app:
        wire(app)
        traffic = DemoTraffic(
            sandbox, clock=app.clock, seed=5, speed=50, state_file=tmp_path / "traffic.json"
        )
        traffic.READ_EVERY_S = 0.05  # sooner sight of each answer; what counts as complete (QUIET_S) stays
        outcomes = [await traffic.relative() for _ in range(3)]
        assert outcomes == ["placed", "placed", "listed"], traffic.stats.line()
        (listed,) = traffic.waiting_list

        founder = DemoFounder(
            app.engine, app.config, tmp_path / "clip.mp4", clock=app.clock, wake=app.sender.wake.set
        )
        founder.clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"clip" * 1000)
        assert (await asyncio.to_thread(founder.work_once) or "").startswith("started")
        assert (await asyncio.to_thread(founder.work_once) or "").startswith("delivered")
        app.sender.wake.set()

        async def invited() -> bool:
            texts = [s["text"] for s in await sandbox.sent(listed)]
            return recognise(texts[-1:], []) == ("ask", "invited")

        await eventually(invited, timeout=60)
        await traffic.returning()
        assert traffic.stats.returned == 1 and traffic.stats.outcomes["placed"] == 3, traffic.stats.line()

        first = traffic.next_user - 2  # the first relative's order went in progress and was delivered

        async def clip_sent() -> bool:
            return any(s["attachment"] for s in await sandbox.sent(first))

        await eventually(clip_sent, timeout=60)

    typed = []
    for user in range(first, traffic.next_user + 1):
        typed += [m["text"] for m in await sandbox.history(user) if m["out"] == 0]
    ids = BUTTON_IDS - {"yes", "no"}  # English words as well as ids
    assert typed and not ids & set(typed)  # nobody typed "wish:wings" or "publish_yes"


async def test_a_restarted_traffic_continues_with_new_people_and_posts_nothing_itself(
    sandbox: SandboxControl, tmp_path: Path
) -> None:
    stop = asyncio.Event()
    stop.set()
    state = tmp_path / "traffic.json"
    first = DemoTraffic(sandbox, clock=ManualClock(), state_file=state)
    await first.run(stop)
    used = [first._user(), first._user()]
    first.families.append(used[0])
    first._save()
    again = DemoTraffic(sandbox, clock=ManualClock(), state_file=state)
    await again.run(stop)
    assert again._user() > max(used) and again.families == [used[0]]
    assert (await sandbox.wall())["posts"] == [], "the wall is the approved clips' alone"
    await again.commenter()
    assert again.stats.comments == 0, "no post yet, so nobody comments"


async def test_families_answer_the_approval_and_the_wall_fills_with_approved_clips_only(
    sandbox: SandboxControl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sandbox_config(
        sandbox.url,
        f"sqlite:///{tmp_path / 'suite.db'}",
        tmp_path / "files",
        waitlist={"sending_window_start_hour": 0, "sending_window_end_hour": 24, "queue_limit": 1000},
        vk={"app_client_id": "demo-app", "redirect_uri": "http://127.0.0.1/vk-id-callback"},
        auth={"secret_key": new_key()},
    )
    await connect_admin_once(
        config, SystemClock()
    )  # as `vkbot demo` does: the wall right, through the sandbox's VK ID
    async with running_app(config) as app:
        wire(app)
        traffic = DemoTraffic(
            sandbox, clock=app.clock, seed=3, speed=50, state_file=tmp_path / "traffic.json"
        )
        traffic.READ_EVERY_S = 0.05  # sooner sight of each answer; what counts as complete (QUIET_S) stays
        traffic.PUBLISH_SHARE = 1.0  # every family allowed publication at the intake
        placed = await asyncio.gather(*(traffic.relative() for _ in range(3)))
        assert placed == ["placed"] * 3, traffic.stats.line()
        founder = DemoFounder(
            app.engine, app.config, tmp_path / "clip.mp4", clock=app.clock, wake=app.sender.wake.set
        )
        demo_clip(founder.clip)
        done = [await asyncio.to_thread(founder.work_once) for _ in range(6)]
        assert [d.split()[0] for d in done if d] == ["started", "delivered"] * 3
        clock = app.clock
        job = PublishingJob(app.engine, app.config.publishing, clock, GROUP, on_enqueued=app.sender.wake.set)
        await job.run_once()  # the app does this every minute: drafts the posts and asks the families

        async def all_asked() -> bool:
            """every family has the approval question"""
            last = [(await sandbox.sent(user))[-1]["text"] for user in traffic.families]
            return all(recognise([text], []) == ("ask", "approval") for text in last)

        await eventually(all_asked, timeout=60)
        answers = []
        for choice in ("edit", "closed", "no"):
            monkeypatch.setattr("vkbot.demo_traffic.APPROVAL_WEIGHTS", {choice: 1})
            answers.append(await traffic.family())
        assert answers == ["edit", "closed", "no"] and traffic.families == []
        with Session(app.engine) as session:
            posts = list(session.exec(select(PubPost)))
            assert sorted(p.status for p in posts) == ["declined", "queued", "queued"]
            approved = [p for p in posts if p.status == "queued"]
            assert set(OWN_CAPTIONS.values()) & {p.caption for p in approved}, "one family wrote its own"
            for post in approved:  # their slots come (the demo's are minutes apart; here, at once)
                post.slot_at = clock.now() - timedelta(minutes=1)
                session.add(post)
            session.commit()
            captions = sorted(p.caption for p in approved)
        await job.run_once()

        async def on_the_wall() -> bool:
            """both approved clips are on the wall"""
            return len((await sandbox.wall())["posts"]) >= 2

        await eventually(on_the_wall, timeout=60)
        await asyncio.sleep(0.5)  # anything else would have gone out by now
        wall = (await sandbox.wall())["posts"]
        assert sorted(p["text"] for p in wall) == captions
        assert all(p["attachments"][0]["type"] == "video" for p in wall)
        assert sorted(p["comments"]["can_post"] for p in wall) == [0, 1], "one family wished no comments"
        await traffic.commenter()
        [open_post] = [p for p in wall if p["comments"]["can_post"]]
        assert (await sandbox.wall())["comments"][-1]["post_id"] == open_post["id"]
