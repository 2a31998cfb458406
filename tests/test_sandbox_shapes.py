"""The sandbox sends what real VK sends: Long Poll settings honoured, group chats, quotes, forwards,
photos without ``orig_photo``, attachments without files, old clients."""

from __future__ import annotations

from typing import Any

import aiohttp
import cv2
import numpy as np

from tests.test_sandbox_longpoll import Poller
from vkbot.sandbox import SandboxControl

GROUP = 1001
CHAT = 2_000_000_007


def jpeg(width: int, height: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((height, width, 3), 100, np.uint8))
    assert ok
    return buf.tobytes()


async def updates_after(sandbox: SandboxControl, vk_call: Any, act: Any) -> list[dict[str, Any]]:
    """The updates a fresh long-poll session receives for what ``act`` does."""
    async with aiohttp.ClientSession() as session:
        poller = Poller(vk_call, session)
        await poller.connect()
        await act()
        return (await poller.poll())["updates"]


async def test_unticked_event_types_are_not_delivered_and_the_settings_read_back(
    sandbox: SandboxControl, vk_call: Any
) -> None:
    answer = await vk_call("groups.setLongPollSettings", group_id=GROUP, message_reply=0, wall_reply_new=0)
    assert answer == {"response": 1}
    settings = (await vk_call("groups.getLongPollSettings", group_id=GROUP))["response"]
    assert settings["is_enabled"] is True and settings["api_version"] == "5.199"
    assert settings["events"]["message_reply"] == 0 and settings["events"]["message_new"] == 1

    async def act() -> None:
        await sandbox.inject_message(40, "Здравствуйте")
        await vk_call("messages.send", peer_id=40, message="Добрый день", random_id=1)
        post = await sandbox.create_post("Пост")
        await sandbox.add_comment(41, post["post_id"], "Комментарий")

    types = [u["type"] for u in await updates_after(sandbox, vk_call, act)]
    assert types == ["message_new", "wall_post_new"]
    # The history still has the reply; only the event stream lost it.
    assert [m["text"] for m in await sandbox.history(40)] == ["Здравствуйте", "Добрый день"]


async def test_disabled_long_poll_delivers_nothing(sandbox: SandboxControl, vk_call: Any) -> None:
    await vk_call("groups.setLongPollSettings", group_id=GROUP, enabled=0)
    updates = await updates_after(sandbox, vk_call, lambda: sandbox.inject_message(42, "Алло"))
    assert updates == []


async def test_api_version_shapes_message_new_and_v(sandbox: SandboxControl, vk_call: Any) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for version in ("5.80", "5.150", "5.199"):
        await vk_call("groups.setLongPollSettings", group_id=GROUP, api_version=version)
        updates = await updates_after(sandbox, vk_call, lambda: sandbox.inject_message(43, "Текст"))
        seen[version] = updates[0]
    old, middle, current = seen["5.80"], seen["5.150"], seen["5.199"]
    assert old["object"]["text"] == "Текст" and "message" not in old["object"] and "v" not in old
    assert middle["object"]["message"]["text"] == "Текст" and "v" not in middle
    assert current["object"]["message"]["text"] == "Текст" and current["v"] == "5.199"
    bad = await vk_call("groups.setLongPollSettings", group_id=GROUP, api_version="latest")
    assert bad["error"]["error_code"] == 100


async def test_group_chat_messages_have_no_id_and_carry_service_actions(
    sandbox: SandboxControl, vk_call: Any
) -> None:
    async def act() -> None:
        await sandbox.inject_message(
            50, "", peer_id=CHAT, action={"type": "chat_invite_user", "member_id": -GROUP}
        )
        await sandbox.inject_message(50, "Всем привет", peer_id=CHAT)

    invite, hello = (u["object"]["message"] for u in await updates_after(sandbox, vk_call, act))
    assert invite["peer_id"] == CHAT and invite["from_id"] == 50 and invite["id"] == 0
    assert invite["action"] == {"type": "chat_invite_user", "member_id": -GROUP}
    assert hello["conversation_message_id"] == invite["conversation_message_id"] + 1
    refused = await sandbox.session.post(
        f"{sandbox.url}/sandbox/messages", json={"from_id": 50, "action": {"type": "chat_invite_user"}}
    )
    assert refused.status == 400  # service actions happen in chats only


async def test_reply_message_and_forwarded_messages_have_their_own_ids_and_authors(
    sandbox: SandboxControl, vk_call: Any
) -> None:
    first = await sandbox.inject_message(
        60, "Вот его фото", [SandboxControl.attachment("photo", "a.jpg", jpeg(800, 600))]
    )

    async def act() -> None:
        await sandbox.inject_message(
            60,
            "Это тоже он",
            reply_to=first["conversation_message_id"],
            fwd_messages=[
                {
                    "from_id": 61,
                    "text": "Старое фото",
                    "attachments": [SandboxControl.attachment("photo", "b.jpg", jpeg(640, 480))],
                    "fwd_messages": [{"from_id": 62, "text": "ещё старее"}],
                },
                {"from_id": 63, "text": "Помню его"},
            ],
        )

    (update,) = await updates_after(sandbox, vk_call, act)
    message = update["object"]["message"]
    quoted = message["reply_message"]
    assert quoted["conversation_message_id"] == first["conversation_message_id"]
    assert quoted["from_id"] == 60 and quoted["attachments"][0]["type"] == "photo"
    outer, second = message["fwd_messages"]
    assert (outer["from_id"], second["from_id"]) == (61, 63)
    assert outer["id"] > 0 and second["id"] > 0 and outer["id"] != second["id"]
    assert outer["conversation_message_id"] > 0 and outer["date"] <= message["date"]
    assert outer["attachments"][0]["photo"]["owner_id"] == 61
    assert outer["fwd_messages"][0]["from_id"] == 62


async def test_photos_without_orig_photo_list_only_the_sizes_they_reach_unsorted(
    sandbox: SandboxControl,
) -> None:
    big = SandboxControl.attachment("photo", "big.jpg", jpeg(1600, 1200), orig_photo=False)
    small = SandboxControl.attachment("photo", "small.jpg", jpeg(500, 400), orig_photo=False)
    message = await sandbox.inject_message(70, "", [big, small])
    big_photo, small_photo = (a["photo"] for a in message["attachments"])
    assert "orig_photo" not in big_photo and "orig_photo" not in small_photo
    assert sorted(s["type"] for s in big_photo["sizes"]) == sorted("smxyzw")
    assert sorted(s["type"] for s in small_photo["sizes"]) == sorted("smx")
    widest = max(big_photo["sizes"], key=lambda s: s["width"])
    assert (widest["type"], widest["width"], widest["height"]) in {("z", 1080, 810), ("w", 1600, 1200)}
    orders = [[s["type"] for s in p["sizes"]] for p in (big_photo, small_photo)]
    assert orders != [list("smxyzw"), list("smx")]  # seeded shuffle: not VK's documented order


async def test_video_wall_poll_and_link_attachments_need_no_file(sandbox: SandboxControl) -> None:
    message = await sandbox.inject_message(
        80,
        "Посмотрите",
        [
            {"type": "video", "title": "Папин юбилей"},
            {"type": "wall", "text": "Пост о нём"},
            {"type": "poll", "question": "Какую музыку?", "answers": ["Песни", "Тишина"]},
            {"type": "link", "url": "https://example.org/pamyat", "title": "Память"},
        ],
    )
    kinds = [a["type"] for a in message["attachments"]]
    assert kinds == ["video", "wall", "poll", "link"]
    video, wall, poll, link = (a[a["type"]] for a in message["attachments"])
    assert video["title"] == "Папин юбилей" and video["access_key"]
    assert wall["text"] == "Пост о нём" and wall["to_id"] == -GROUP
    assert [a["text"] for a in poll["answers"]] == ["Песни", "Тишина"]
    assert link["url"] == "https://example.org/pamyat" and link["caption"] == "example.org"


async def test_client_info_of_an_old_client_without_keyboards(sandbox: SandboxControl, vk_call: Any) -> None:
    updates = await updates_after(
        sandbox,
        vk_call,
        lambda: sandbox.inject_message(
            90, "Здравствуйте", client_info={"keyboard": False, "inline_keyboard": False}
        ),
    )
    info = updates[0]["object"]["client_info"]
    assert info["keyboard"] is False and info["inline_keyboard"] is False and "text" in info["button_actions"]


async def test_sent_keyboard_reads_the_buttons_a_person_sees(sandbox: SandboxControl, vk_call: Any) -> None:
    await sandbox.inject_message(95, "Здравствуйте")
    keyboard = '{"one_time":false,"inline":true,"buttons":[[{"action":{"type":"text","label":"Да","payload":"{\\"a\\":\\"yes\\"}"}}]]}'
    await vk_call("messages.send", peer_id=95, message="Согласны?", random_id=5, keyboard=keyboard)
    assert await sandbox.sent_keyboard(95) == ("Согласны?", [{"label": "Да", "payload": {"a": "yes"}}])
    await vk_call("messages.send", peer_id=95, message="Как его звали?", random_id=6)
    assert await sandbox.sent_keyboard(95) == (
        "Как его звали?",
        [],
    )  # old inline buttons are not the question
