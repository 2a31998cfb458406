"""Fidelity: unmodified third-party VK clients (vk_api, vkbottle) work against the sandbox."""

from __future__ import annotations

import asyncio
from typing import Any

import requests
import vk_api
from vk_api.bot_longpoll import VkBotEventType, VkBotLongPoll
from vk_api.utils import get_random_id

from vkbot.sandbox import SandboxControl, SandboxThread

TOKEN = "sandbox-community-token"
GROUP_ID = 1001


class RewritingSession(requests.Session):
    """Sends vk_api's hard-coded https://api.vk.ru/ calls to the sandbox (the recipe from vk-api.md 5.1)."""

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        return super().request(method, url.replace("https://api.vk.ru/", f"{self.root}/", 1), *args, **kwargs)


def test_vk_api_bot_longpoll_receives_an_injected_message_and_can_reply(sandbox_url: str) -> None:
    vk = vk_api.VkApi(token=TOKEN, api_version="5.199", session=RewritingSession(sandbox_url))
    longpoll = VkBotLongPoll(vk, GROUP_ID, wait=2)
    injected = requests.post(
        f"{sandbox_url}/sandbox/messages", json={"from_id": 4242, "text": "Здравствуйте"}, timeout=10
    ).json()

    events = []
    for _ in range(5):
        events = [e for e in longpoll.check() if e.type == VkBotEventType.MESSAGE_NEW]
        if events:
            break
    assert len(events) == 1
    event = events[0]
    assert event.from_user and event.message.text == "Здравствуйте"
    assert event.message.id == injected["id"] and event.obj.client_info["keyboard"] is True

    message_id = vk.get_api().messages.send(peer_id=4242, message="Мы получили", random_id=get_random_id())
    sent = requests.get(f"{sandbox_url}/sandbox/sent", params={"peer_id": 4242}, timeout=10).json()
    assert [(s["message_id"], s["text"]) for s in sent] == [(message_id, "Мы получили")]
    replies = [e for e in longpoll.check() if e.type == VkBotEventType.MESSAGE_REPLY]
    assert [r.obj["id"] for r in replies] == [message_id]


async def test_vkbottle_bot_receives_an_injected_message_and_its_reply_is_sent(
    sandbox: SandboxControl, sandbox_server: SandboxThread, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)  # vkbottle writes .vkbottle/bot-polling/<group>.json into the CWD
    from vkbottle import API, Bot
    from vkbottle.bot import Message

    api = API(TOKEN)
    api.API_URL = sandbox_server.api_url
    bot = Bot(api=api)
    bot.polling.wait = 2  # type: ignore[attr-defined]
    seen: list[str] = []
    handled = asyncio.Event()

    @bot.on.message()
    async def echo(message: Message) -> None:
        seen.append(message.text)
        await message.answer(f"Эхо: {message.text}")
        handled.set()

    task = asyncio.create_task(bot.run_polling())
    try:
        # Inject only once the bot holds a long-poll session: it starts from the server's ts.
        await sandbox.wait_for_call("groups.getLongPollServer")
        await sandbox.inject_message(7007, "привет")
        await asyncio.wait_for(handled.wait(), 15)
        sent: list[dict[str, Any]] = []
        for _ in range(100):
            sent = await sandbox.sent(7007)
            if sent:
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert seen == ["привет"]
    assert [s["text"] for s in sent] == ["Эхо: привет"]


REAL_SHAPES_CHAT = 2_000_000_003


async def inject_real_shapes(sandbox: SandboxControl, user: int) -> None:
    """What real VK sends besides the friendly private text: a chat with a service action, a quote,
    forwards with their own authors, a photo without orig_photo, video/wall/poll/link, an old client."""
    photo = SandboxControl.attachment("photo", "p.jpg", JPEG, orig_photo=False)
    await sandbox.inject_message(
        user, "", peer_id=REAL_SHAPES_CHAT, action={"type": "chat_invite_user", "member_id": -GROUP_ID}
    )
    first = await sandbox.inject_message(user, "фото", [photo])
    await sandbox.inject_message(
        user,
        "вот ещё",
        [
            {"type": "video", "title": "Юбилей"},
            {"type": "wall", "text": "Пост"},
            {"type": "poll", "question": "Какую музыку?", "answers": ["Песни", "Тишина"]},
            {"type": "link", "url": "https://example.org/a", "title": "Статья"},
        ],
        fwd_messages=[{"from_id": user + 1, "text": "старое", "attachments": [photo]}],
        reply_to=first["conversation_message_id"],
        client_info={"keyboard": False, "inline_keyboard": False},
    )


def _jpeg() -> bytes:
    import cv2
    import numpy as np

    ok, buf = cv2.imencode(".jpg", np.full((600, 800, 3), 90, np.uint8))
    assert ok
    return buf.tobytes()


JPEG = _jpeg()


async def test_vk_api_receives_real_vk_shapes_at_an_older_api_version(
    sandbox: SandboxControl, sandbox_url: str
) -> None:
    vk = vk_api.VkApi(token=TOKEN, api_version="5.199", session=RewritingSession(sandbox_url))
    vk.get_api().groups.setLongPollSettings(group_id=GROUP_ID, api_version="5.131")  # events without "v"
    longpoll = await asyncio.to_thread(VkBotLongPoll, vk, GROUP_ID, 2)
    await inject_real_shapes(sandbox, 5151)
    events: list[Any] = []
    for _ in range(5):
        events += [e for e in await asyncio.to_thread(longpoll.check) if e.type == VkBotEventType.MESSAGE_NEW]
        if len(events) == 3:
            break
    invite, photo, rich = events
    assert invite.from_chat and invite.chat_id == 3 and invite.message.action["type"] == "chat_invite_user"
    assert photo.from_user and "orig_photo" not in photo.message.attachments[0]["photo"]
    assert rich.message.reply_message["text"] == "фото" and rich.message.fwd_messages[0]["from_id"] == 5152
    assert [a["type"] for a in rich.message.attachments] == ["video", "wall", "poll", "link"]
    assert rich.obj.client_info["keyboard"] is False


async def test_vkbottle_receives_real_vk_shapes(
    sandbox: SandboxControl, sandbox_server: SandboxThread, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    from vkbottle import API, Bot
    from vkbottle.bot import Message

    api = API(TOKEN)
    api.API_URL = sandbox_server.api_url
    await api.groups.set_long_poll_settings(group_id=GROUP_ID, api_version="5.131")
    bot = Bot(api=api)
    bot.polling.wait = 2  # type: ignore[attr-defined]
    seen: list[Message] = []
    all_seen = asyncio.Event()

    @bot.on.message()
    async def any_message(message: Message) -> None:
        seen.append(message)
        if len(seen) == 3:
            all_seen.set()

    task = asyncio.create_task(bot.run_polling())
    try:
        await sandbox.wait_for_call("groups.getLongPollServer")
        await inject_real_shapes(sandbox, 6161)
        await asyncio.wait_for(all_seen.wait(), 15)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    by_text = {m.text: m for m in seen}
    assert by_text[""].peer_id == REAL_SHAPES_CHAT and by_text[""].action is not None
    assert by_text["фото"].attachments[0].photo.orig_photo is None
    rich = by_text["вот ещё"]
    assert rich.reply_message is not None and rich.reply_message.text == "фото"
    assert rich.fwd_messages[0].from_id == 6162
    assert [a.type.value for a in rich.attachments] == ["video", "wall", "poll", "link"]
