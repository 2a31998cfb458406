"""VK methods on the sandbox: envelopes, messages.send rules, history, wall, uploads, execute."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from vkbot.sandbox import SandboxControl

PNG_16X8 = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000100000000808060000001f15c489")
GROUP = 1001


def error_code(answer: dict[str, Any]) -> int | None:
    return answer.get("error", {}).get("error_code")


async def test_a_relative_who_wrote_gets_an_answer_once_even_when_the_send_is_retried(
    sandbox, vk_call
) -> None:
    await sandbox.inject_message(10, "Здравствуйте")
    first = await vk_call("messages.send", peer_id=10, message="Ответ", random_id=555)
    again = await vk_call("messages.send", peer_id=10, message="Ответ", random_id=555)
    unkeyed = await vk_call("messages.send", peer_id=10, message="Ответ", random_id=0)
    assert isinstance(first["response"], int) and again["response"] == first["response"]
    assert unkeyed["response"] > first["response"]
    sent = await sandbox.sent(10)
    assert [s["random_id"] for s in sent] == [555, 0]
    calls = await sandbox.calls()
    assert calls["deduplicated"] == 1 and calls["methods"]["messages.send"] == 3


async def test_peer_ids_form_answers_a_list_with_per_peer_errors(sandbox, vk_call) -> None:
    await sandbox.inject_message(11, "hi")
    answer = (await vk_call("messages.send", peer_ids="11,12", message="x", random_id=0))["response"]
    assert (
        answer[0]["peer_id"] == 11 and answer[0]["message_id"] > 0 and "conversation_message_id" in answer[0]
    )
    assert answer[1]["peer_id"] == 12 and answer[1]["error"]["code"] == 901


async def test_the_community_cannot_write_first_nor_after_a_deny(sandbox, vk_call) -> None:
    assert error_code(await vk_call("messages.send", peer_id=13, message="x", random_id=0)) == 901
    await sandbox.allow(13)
    assert "response" in await vk_call("messages.send", peer_id=13, message="x", random_id=0)
    await sandbox.deny(13)
    denied = await vk_call("messages.send", peer_id=13, message="x", random_id=0)
    assert error_code(denied) == 901
    assert {"key": "peer_id", "value": "13"} in denied["error"]["request_params"]
    await sandbox.inject_message(13, "я снова пишу")
    assert "response" in await vk_call("messages.send", peer_id=13, message="x", random_id=0)


async def test_text_length_keyboard_and_required_params(sandbox, vk_call) -> None:
    await sandbox.inject_message(14, "hi")
    assert "response" in await vk_call("messages.send", peer_id=14, message="я" * 9000, random_id=0)
    assert error_code(await vk_call("messages.send", peer_id=14, message="я" * 9001, random_id=0)) == 914
    assert (
        error_code(await vk_call("messages.send", peer_id=14, message="x", random_id=0, keyboard="{oops"))
        == 911
    )
    bad_type = json.dumps({"buttons": [[{"action": {"type": "teleport", "label": "x"}}]]})
    assert (
        error_code(await vk_call("messages.send", peer_id=14, message="x", random_id=0, keyboard=bad_type))
        == 911
    )
    keyboard = {
        "one_time": False,
        "buttons": [
            [
                {
                    "action": {"type": "callback", "label": "Статус", "payload": '{"cmd":"status"}'},
                    "color": "primary",
                }
            ]
        ],
    }
    ok = await vk_call("messages.send", peer_id=14, message="x", random_id=0, keyboard=json.dumps(keyboard))
    assert "response" in ok and (await sandbox.sent(14))[-1]["keyboard"] == keyboard
    missing = await vk_call("messages.send", peer_id=14, message="x")
    assert error_code(missing) == 100 and "random_id" in missing["error"]["error_msg"]
    assert error_code(await vk_call("messages.fly", peer_id=14)) == 3
    assert error_code(await vk_call("messages.send", token="nope", peer_id=14, message="x", random_id=0)) == 5


async def test_bearer_header_is_accepted(sandbox, sandbox_server) -> None:
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": "Bearer sandbox-community-token"}
        async with session.post(
            f"{sandbox_server.api_url}groups.getById", data={"v": "5.199"}, headers=headers
        ) as resp:
            answer = await resp.json()
    assert answer["response"]["groups"][0]["id"] == GROUP and answer["response"]["profiles"] == []


async def test_history_conversations_delete_and_read_marks(sandbox, vk_call) -> None:
    first = await sandbox.inject_message(15, "one")
    await sandbox.inject_message(15, "two")
    reply = (await vk_call("messages.send", peer_id=15, message="three", random_id=0))["response"]
    history = (await vk_call("messages.getHistory", peer_id=15, count=2))["response"]
    assert history["count"] == 3 and [m["text"] for m in history["items"]] == ["three", "two"]
    assert [
        m["text"] for m in (await vk_call("messages.getHistory", peer_id=15, rev=1))["response"]["items"]
    ] == ["one", "two", "three"]
    convs = (await vk_call("messages.getConversations"))["response"]
    conv = convs["items"][0]["conversation"]
    assert conv["peer"] == {"id": 15, "type": "user", "local_id": 15} and conv["last_message_id"] == reply
    assert {"version", "in_read", "out_read", "last_conversation_message_id"} <= conv.keys()
    deleted = (await vk_call("messages.delete", message_ids=first["id"]))["response"]
    assert deleted == [
        {"peer_id": 15, "message_id": first["id"], "conversation_message_id": 1, "response": 1}
    ]
    assert (await vk_call("messages.getHistory", peer_id=15))["response"]["count"] == 2
    by_id = (await vk_call("messages.getById", message_ids=f"{first['id']},{reply}"))["response"]
    assert [m["id"] for m in by_id["items"]] == [reply]
    assert (await vk_call("messages.markAsRead", peer_id=15))["response"] == 1
    assert (await vk_call("messages.markAsAnsweredConversation", peer_id=15, answered=1))["response"] == 1


async def test_injected_attachments_are_vk_shaped_and_served(sandbox: SandboxControl) -> None:
    message = await sandbox.inject_message(
        16,
        "фото",
        attachments=[
            sandbox.attachment("photo", "mama.png", PNG_16X8),
            sandbox.attachment("audio_message", "voice.ogg", b"OggS-voice"),
            sandbox.attachment("doc", "story.txt", "История".encode()),
        ],
    )
    photo, voice, doc = (a[a["type"]] for a in message["attachments"])
    assert len({s["type"] for s in photo["sizes"]}) >= 3 and photo["orig_photo"]["width"] == 16
    assert all(obj["access_key"] for obj in (photo, voice, doc))
    async with aiohttp.ClientSession() as session:
        for url, body in (
            (photo["sizes"][-1]["url"], PNG_16X8),
            (voice["link_ogg"], b"OggS-voice"),
            (doc["url"], "История".encode()),
        ):
            async with session.get(url) as resp:
                assert resp.status == 200 and await resp.read() == body


async def _upload(url: str, field: str, name: str, data: bytes) -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field(field, data, filename=name)
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as resp:
        return json.loads(await resp.text())


async def test_message_photo_and_doc_uploads(sandbox, vk_call) -> None:
    await sandbox.inject_message(17, "hi")
    server = (await vk_call("photos.getMessagesUploadServer", peer_id=17))["response"]
    uploaded = await _upload(server["upload_url"], "file0", "clip.png", PNG_16X8)
    saved = (await vk_call("photos.saveMessagesPhoto", **uploaded))["response"][0]
    assert saved["owner_id"] == -GROUP and saved["access_key"]
    tampered = dict(uploaded, hash="0" * 32)
    assert error_code(await vk_call("photos.saveMessagesPhoto", **tampered)) == 121
    doc_server = (await vk_call("docs.getMessagesUploadServer", type="doc", peer_id=17))["response"]
    doc = (
        await vk_call(
            "docs.save", title="clip", **await _upload(doc_server["upload_url"], "file", "c.mp4", b"mp4")
        )
    )["response"]
    attachment = (
        f"photo{saved['owner_id']}_{saved['id']}_{saved['access_key']},doc{doc['doc']['owner_id']}_"
        f"{doc['doc']['id']}"
    )
    assert "response" in await vk_call("messages.send", peer_id=17, attachment=attachment, random_id=0)
    history = (await vk_call("messages.getHistory", peer_id=17, count=1))["response"]["items"][0]
    assert [a["type"] for a in history["attachments"]] == ["photo", "doc"]
    assert history["attachments"][0]["photo"]["sizes"] == saved["sizes"]


USER_ONLY = [
    ("wall.post", {"owner_id": -GROUP, "message": "x"}),
    ("wall.edit", {"owner_id": -GROUP, "post_id": 1}),
    ("wall.delete", {"owner_id": -GROUP, "post_id": 1}),
    ("wall.deleteComment", {"owner_id": -GROUP, "comment_id": 1}),
    ("wall.restoreComment", {"owner_id": -GROUP, "comment_id": 1}),
    ("wall.get", {"owner_id": -GROUP}),
    ("wall.getComments", {"owner_id": -GROUP, "post_id": 1}),
    ("groups.ban", {"group_id": GROUP, "owner_id": 5}),
    ("groups.unban", {"group_id": GROUP, "owner_id": 5}),
    ("video.save", {"name": "clip"}),
    ("photos.getWallUploadServer", {"group_id": GROUP}),
    ("photos.saveWallPhoto", {"group_id": GROUP, "photo": "[]", "server": 1, "hash": "x"}),
]


@pytest.mark.parametrize(("method", "params"), USER_ONLY, ids=[m for m, _ in USER_ONLY])
async def test_user_only_methods_refuse_the_community_token(
    vk_call, method: str, params: dict[str, Any]
) -> None:
    assert error_code(await vk_call(method, **params)) == 27


async def test_the_wall_with_a_user_token(sandbox: SandboxControl, vk_call) -> None:
    user = (await sandbox.mint_user_token(rate_per_s=100))["access_token"]
    post = await vk_call("wall.post", token=user, owner_id=-GROUP, from_group=1, message="Клип", guid="g1")
    again = await vk_call("wall.post", token=user, owner_id=-GROUP, from_group=1, message="Клип", guid="g1")
    assert again["response"] == post["response"]
    later = await vk_call(
        "wall.post", token=user, owner_id=-GROUP, message="Потом", publish_date=4_000_000_000
    )
    postponed = (await vk_call("wall.get", token=user, owner_id=-GROUP, filter="postponed"))["response"]
    assert [p["id"] for p in postponed["items"]] == [later["response"]["post_id"]]
    assert postponed["items"][0]["post_type"] == "postpone"
    post_id = post["response"]["post_id"]
    comment = (await sandbox.add_comment(20, post_id, "гадость"))["comment_id"]
    assert (await vk_call("wall.deleteComment", token=user, owner_id=-GROUP, comment_id=comment))[
        "response"
    ] == 1
    visible = (await vk_call("wall.getComments", token=user, owner_id=-GROUP, post_id=post_id))["response"]
    assert visible["count"] == 0
    wall = await sandbox.wall()
    assert [c["deleted"] for c in wall["comments"]] == [True] and len(wall["posts"]) == 2
    assert (await vk_call("wall.restoreComment", token=user, owner_id=-GROUP, comment_id=comment))[
        "response"
    ] == 1
    assert (
        error_code(await vk_call("wall.restoreComment", token=user, owner_id=-GROUP, comment_id=comment))
        == 100
    )
    assert (await vk_call("wall.delete", token=user, owner_id=-GROUP, post_id=post_id))["response"] == 1
    assert [p["deleted"] for p in (await sandbox.wall())["posts"]] == [True, False]


async def test_without_the_wall_right_posting_is_denied(sandbox: SandboxControl, vk_call) -> None:
    user = (await sandbox.mint_user_token(rate_per_s=100))["access_token"]
    await sandbox.set_rights(wall=False)
    assert error_code(await vk_call("wall.post", token=user, owner_id=-GROUP, message="x")) == 15
    assert error_code(await vk_call("video.save", token=user, name="clip", group_id=GROUP)) == 15
    await sandbox.reset()
    assert "response" in await vk_call("wall.post", token=user, owner_id=-GROUP, message="x")


async def test_video_upload_and_bans_with_a_user_token(sandbox: SandboxControl, vk_call) -> None:
    user = (await sandbox.mint_user_token(rate_per_s=100))["access_token"]
    saved = (await vk_call("video.save", token=user, name="Клип", group_id=GROUP))["response"]
    uploaded = await _upload(saved["upload_url"], "video_file", "video.mp4", b"\x00" * 1000)
    assert uploaded["video_id"] == saved["video_id"] and uploaded["size"] == 1000
    assert (await vk_call("groups.ban", token=user, group_id=GROUP, owner_id=66, reason=2))["response"] == 1
    banned = (await vk_call("groups.getBanned", group_id=GROUP))["response"]
    assert [item["profile"]["id"] for item in banned["items"]] == [66]


async def test_an_expired_user_token_answers_error_5(sandbox: SandboxControl, vk_call) -> None:
    user = (await sandbox.mint_user_token(rate_per_s=100))["access_token"]
    assert "response" in await vk_call("users.get", token=user)
    assert (await sandbox.expire_user_tokens())["expired"] >= 1
    assert error_code(await vk_call("users.get", token=user)) == 5


async def test_execute_runs_calls_in_order_and_reports_failures(sandbox, vk_call) -> None:
    await sandbox.inject_message(21, "hi")
    code = (
        'return [API.messages.send({"peer_id": 21, "message": "a", "random_id": 0}), '
        "API.messages.send({peer_id: 22, message: 'b', random_id: 0}), API.users.get({user_ids: [21, 22]})];"
    )
    answer = await vk_call("execute", code=code)
    first, second, users = answer["response"]
    assert isinstance(first, int) and second is False and [u["id"] for u in users] == [21, 22]
    assert answer["execute_errors"] == [
        {
            "method": "messages.send",
            "error_code": 901,
            "error_msg": "Can't send messages for users without permission",
        }
    ]
    single = await vk_call("execute", code="return API.groups.getById();")
    assert single["response"]["groups"][0]["id"] == GROUP
    assert error_code(await vk_call("execute", code="var a = 1; return a;")) == 12
    calls = await sandbox.calls()
    assert calls["methods"]["execute"] == 3 and calls["methods"]["messages.send"] == 2
