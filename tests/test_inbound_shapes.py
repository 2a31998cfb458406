"""Real VK message shapes (from the sandbox's wire) become what the intake sees: photos inside forwarded and
quoted messages are taken, other attachments are listed by reference for the founder."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.test_sandbox_longpoll import Poller
from tests.test_sandbox_shapes import jpeg
from vkbot.adapters.inbound import to_inbound
from vkbot.ingress.events import VkEvent, parse_event
from vkbot.sandbox import SandboxControl


async def delivered(sandbox: SandboxControl, vk_call: Any, act: Any) -> list[VkEvent]:
    async with aiohttp.ClientSession() as session:
        poller = Poller(vk_call, session)
        await poller.connect()
        await act()
        events = [parse_event(u) for u in (await poller.poll())["updates"]]
    assert all(isinstance(e, VkEvent) for e in events), events
    return [e for e in events if isinstance(e, VkEvent) and e.type == "message_new"]


async def test_photos_in_forwards_and_quotes_are_taken_other_attachments_listed(
    sandbox: SandboxControl, vk_call: Any
) -> None:
    user = 3100
    own = await sandbox.inject_message(
        user, "вот", [SandboxControl.attachment("photo", "own.jpg", jpeg(900, 700), orig_photo=False)]
    )
    keyboard = '{"buttons":[],"one_time":false}'
    await vk_call("messages.send", peer_id=user, message="Пришлите фото", random_id=3, keyboard=keyboard)
    ours = (await sandbox.history(user))[-1]

    async def act() -> None:
        await sandbox.inject_message(
            user,
            "это он",
            [
                {"type": "video", "title": "Юбилей"},
                {"type": "wall", "text": "Пост"},
                {"type": "poll", "question": "?", "answers": ["a"]},
                {"type": "link", "url": "https://example.org/x", "title": "X"},
            ],
            fwd_messages=[
                {
                    "from_id": 3200,
                    "text": "старое фото",
                    "attachments": [
                        SandboxControl.attachment("photo", "fwd.jpg", jpeg(1300, 1000), orig_photo=False)
                    ],
                }
            ],
            reply_to=own["conversation_message_id"],
        )
        await sandbox.inject_message(user, "ответ на вопрос", reply_to=ours["conversation_message_id"])

    rich, answer = await delivered(sandbox, vk_call, act)
    inbound = to_inbound(rich.message, "evt:1", keyboard_supported=True, lang_hint=None)  # type: ignore[arg-type]
    kinds = [(a.kind, a.ext) for a in inbound.attachments]
    assert kinds == [
        ("video", None),
        ("other", "wall"),
        ("other", "poll"),
        ("other", "link"),
        ("photo", "jpg"),  # forwarded
        ("photo", "jpg"),  # in the quoted message
    ]
    video, wall, poll, link, forwarded, quoted = inbound.attachments
    assert wall.vk_ref.startswith("wall-1001_") and poll.vk_ref.startswith(f"poll{user}_")
    assert link.url == "https://example.org/x" and video.vk_ref.startswith(f"video{user}_")
    # Titles for the founder's inbox: a video's or link's title, a poll's question, a post's words.
    assert (video.title, wall.title, poll.title, link.title) == ("Юбилей", "Пост", "?", "X")
    # Without orig_photo the largest real size is taken, whatever the order of the list.
    assert forwarded.url is not None and forwarded.url.endswith("size=w")
    assert quoted.url is not None and quoted.url.endswith("size=z")  # 900x700 reaches z, not w
    assert inbound.forwarded_texts == ("старое фото",)  # the quote's text was read when it came

    plain = to_inbound(answer.message, "evt:2", keyboard_supported=True, lang_hint=None)  # type: ignore[arg-type]
    assert plain.attachments == () and plain.forwarded_texts == ()  # quoting our question adds nothing
