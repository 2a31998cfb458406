"""The demo's simulated people against the real suite: relatives answer what the bot asks (never a button
id), the founder moves the queue, people on the waiting list come back when invited, and a restart of the
traffic adds nothing twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import i18n
from tests.app_helpers import eventually, running_app
from tests.test_intake_sandbox import intake_config, wire
from vkbot.demo_traffic import QUESTIONS, DemoFounder, DemoTraffic, recognise
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
        traffic = DemoTraffic(sandbox, seed=5, speed=50, state_file=tmp_path / "traffic.json")
        outcomes = [await traffic.relative() for _ in range(3)]
        assert outcomes == ["placed", "placed", "listed"], traffic.stats.line()
        (listed,) = traffic.waiting_list

        founder = DemoFounder(app.engine, app.config, tmp_path / "clip.mp4", wake=app.sender.wake.set)
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


async def test_a_restarted_traffic_continues_with_new_people_and_the_same_post(
    sandbox: SandboxControl, tmp_path: Path
) -> None:
    stop = asyncio.Event()
    stop.set()
    state = tmp_path / "traffic.json"
    first = DemoTraffic(sandbox, state_file=state)
    await first.run(stop)
    used = [first._user(), first._user()]
    again = DemoTraffic(sandbox, state_file=state)
    await again.run(stop)
    assert again.post_id == first.post_id and again._user() > max(used)
    assert len((await sandbox.wall())["posts"]) == 1
