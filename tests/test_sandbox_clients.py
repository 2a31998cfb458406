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
