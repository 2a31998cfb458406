"""Every Bots Long Poll event type parses from VK-shaped JSON; anything odd becomes a MalformedEvent with a reason."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from vkbot.ingress.events import (
    EVENT_MODELS,
    MAX_TEXT_CHARS,
    GroupJoin,
    GroupLeave,
    MalformedEvent,
    MessageAllow,
    MessageDeny,
    MessageEdit,
    MessageEvent,
    MessageNew,
    MessageReply,
    UserBlock,
    UserUnblock,
    VkEvent,
    WallPostNew,
    WallReplyDelete,
    WallReplyEdit,
    WallReplyNew,
    WallReplyRestore,
    event_type_of,
    identity,
    parse_event,
)

GROUP = 229871234

PHOTO = {
    "album_id": -3,
    "date": 1732540000,
    "id": 457240112,
    "owner_id": 5123456,
    "access_key": "e1b2c3d4e5f6a7b8c9",
    "sizes": [
        {"height": 75, "type": "s", "width": 56, "url": "https://sun9-1.userapi.com/s.jpg"},
        {"height": 1280, "type": "w", "width": 960, "url": "https://sun9-1.userapi.com/w.jpg"},
        {"height": 604, "type": "x", "width": 453, "url": "https://sun9-1.userapi.com/x.jpg"},
    ],
    "text": "",
    "web_view_token": "3f2a",
    "has_tags": False,
}

VOICE = {
    "id": 674512,
    "owner_id": 5123456,
    "duration": 17,
    "waveform": [0, 3, 8, 14, 31, 20, 4],
    "link_ogg": "https://psv4.userapi.com/voice.ogg",
    "link_mp3": "https://psv4.userapi.com/voice.mp3",
    "access_key": "77aa",
    "transcript_state": "done",
    "transcript": "это мой сын",
}

MESSAGE: dict[str, Any] = {
    "date": 1732540123,
    "from_id": 5123456,
    "id": 1842,
    "out": 0,
    "version": 10000123,
    "attachments": [
        {"type": "photo", "photo": PHOTO},
        {"type": "audio_message", "audio_message": VOICE},
        {
            "type": "doc",
            "doc": {
                "id": 6600,
                "owner_id": 5123456,
                "title": "scan.pdf",
                "size": 48213,
                "ext": "pdf",
                "date": 1732540000,
                "type": 1,
                "url": "https://vk.com/doc5123456_6600?hash=ab",
                "access_key": "k1",
            },
        },
        {"type": "sticker", "sticker": {"product_id": 279, "sticker_id": 9014, "images": []}},
        {"type": "video", "video": {"id": 456239017, "owner_id": 5123456, "title": "clip", "duration": 30}},
    ],
    "conversation_message_id": 311,
    "fwd_messages": [],
    "important": False,
    "is_hidden": False,
    "peer_id": 5123456,
    "random_id": 0,
    "text": "Здравствуйте, мой сын погиб в мае, можно сделать видео?",
}

CLIENT_INFO = {
    "button_actions": ["text", "vkpay", "open_app", "location", "open_link", "callback"],
    "keyboard": True,
    "inline_keyboard": True,
    "carousel": True,
    "lang_id": 0,
}

COMMENT = {
    "id": 5512,
    "from_id": 7001002,
    "date": 1732541000,
    "text": "Светлая память",
    "post_owner_id": -GROUP,
    "post_id": 877,
    "owner_id": -GROUP,
    "parents_stack": [],
    "thread": {"count": 0, "items": [], "can_post": True},
}

# type -> (object, expected model, a check on the parsed object)
OBJECTS: dict[str, tuple[dict[str, Any], type, Any]] = {
    "message_new": (
        {"message": MESSAGE, "client_info": CLIENT_INFO},
        MessageNew,
        lambda o: o.message.conversation_message_id == 311 and o.client_info.keyboard is True,
    ),
    "message_reply": (
        {
            **MESSAGE,
            "id": 1843,
            "out": 1,
            "from_id": -GROUP,
            "random_id": 88231,
            "admin_author_id": 1000,
            "attachments": [],
            "conversation_message_id": 312,
        },
        MessageReply,
        lambda o: o.out == 1 and o.admin_author_id == 1000,
    ),
    "message_edit": (
        {**MESSAGE, "text": "исправлено", "update_time": 1732540200},
        MessageEdit,
        lambda o: o.update_time == 1732540200 and o.text == "исправлено",
    ),
    "message_allow": ({"user_id": 5123456, "key": "widget_1"}, MessageAllow, lambda o: o.key == "widget_1"),
    "message_deny": ({"user_id": 5123456}, MessageDeny, lambda o: o.user_id == 5123456),
    "message_event": (
        {
            "user_id": 5123456,
            "peer_id": 5123456,
            "event_id": "3159dc190b1f",
            "payload": {"cmd": "status"},
            "conversation_message_id": 313,
        },
        MessageEvent,
        lambda o: o.payload == {"cmd": "status"},
    ),
    "wall_reply_new": (COMMENT, WallReplyNew, lambda o: o.post_id == 877 and o.post_owner_id == -GROUP),
    "wall_reply_edit": ({**COMMENT, "text": "правка"}, WallReplyEdit, lambda o: o.text == "правка"),
    "wall_reply_restore": (COMMENT, WallReplyRestore, lambda o: o.id == 5512),
    "wall_reply_delete": (
        {"owner_id": -GROUP, "id": 5512, "deleter_id": 1000, "user_id": 1000, "post_id": 877},
        WallReplyDelete,
        lambda o: o.deleter_id == 1000 and o.post_id == 877,
    ),
    "wall_post_new": (
        {
            "id": 878,
            "owner_id": -GROUP,
            "from_id": -GROUP,
            "created_by": 1000,
            "date": 1732542000,
            "text": "Памяти Андрея",
            "post_type": "post",
            "attachments": [{"type": "video", "video": {"id": 1, "owner_id": -GROUP}}],
            "comments": {"count": 0},
            "postponed_id": 44,
        },
        WallPostNew,
        lambda o: o.postponed_id == 44 and o.attachments[0].raw_body() == {"id": 1, "owner_id": -GROUP},
    ),
    "group_join": ({"user_id": 7001002, "join_type": "join"}, GroupJoin, lambda o: o.join_type == "join"),
    "group_leave": ({"user_id": 7001002, "self": 1}, GroupLeave, lambda o: o.self_ == 1),
    "user_block": (
        {"admin_id": 1000, "user_id": 666, "unblock_date": 0, "reason": 2, "comment": "оскорбления"},
        UserBlock,
        lambda o: o.reason == 2 and o.unblock_date == 0,
    ),
    "user_unblock": (
        {"admin_id": 1000, "user_id": 666, "by_end_date": 1},
        UserUnblock,
        lambda o: o.by_end_date == 1,
    ),
}


def envelope(event_type: str, obj: Any, event_id: str = "c68dfb983247fea8ac98ea0ea59717df71d8064f") -> dict:
    return {"group_id": GROUP, "type": event_type, "event_id": event_id, "v": "5.199", "object": obj}


def test_the_table_covers_every_event_type_the_issue_names() -> None:
    assert set(OBJECTS) == set(EVENT_MODELS)


@pytest.mark.parametrize("event_type", sorted(OBJECTS))
def test_each_event_type_parses_into_its_model(event_type: str) -> None:
    obj, model, check = OBJECTS[event_type]
    raw = envelope(event_type, copy.deepcopy(obj))
    event = parse_event(raw)
    assert isinstance(event, VkEvent), getattr(event, "reason", "")
    assert event.type == event_type and event.group_id == GROUP and event.v == "5.199"
    assert type(event.obj) is model
    assert check(event.obj)
    assert event.raw is raw  # the record is the untouched JSON


def test_a_new_message_keeps_every_attachment_and_unknown_fields() -> None:
    event = parse_event(envelope("message_new", {"message": MESSAGE, "client_info": CLIENT_INFO}))
    assert isinstance(event, VkEvent) and event.message is not None
    msg = event.message
    kinds = [a.type for a in msg.attachments]
    assert kinds == ["photo", "audio_message", "doc", "sticker", "video"]
    photo, voice, doc, sticker, video = msg.attachments
    assert photo.photo is not None and photo.photo.largest_url() == "https://sun9-1.userapi.com/w.jpg"
    assert voice.audio_message is not None and voice.audio_message.link_ogg.endswith("voice.ogg")
    assert doc.doc is not None and doc.doc.ext == "pdf"
    assert sticker.sticker is not None and sticker.sticker.sticker_id == 9014
    assert video.raw_body()["title"] == "clip"
    assert (msg.model_extra or {})["is_hidden"] is False


def test_largest_photo_prefers_the_original() -> None:
    photo = {
        **PHOTO,
        "orig_photo": {
            "type": "base",
            "url": "https://sun9-1.userapi.com/orig.jpg",
            "width": 3000,
            "height": 4000,
        },
    }
    msg = {**MESSAGE, "attachments": [{"type": "photo", "photo": photo}]}
    event = parse_event(envelope("message_new", {"message": msg}))
    assert isinstance(event, VkEvent) and event.message is not None
    assert event.message.attachments[0].photo.largest_url() == "https://sun9-1.userapi.com/orig.jpg"


def test_forwarded_and_replied_messages_parse_recursively() -> None:
    inner = {"from_id": 9, "date": 1, "text": "deep", "attachments": [], "fwd_messages": []}
    fwd = {"from_id": 7, "date": 1, "text": "outer", "fwd_messages": [inner], "conversation_message_id": 2}
    msg = {
        **MESSAGE,
        "fwd_messages": [fwd],
        "reply_message": {"from_id": 8, "date": 2, "text": "r", "conversation_message_id": 300},
    }
    event = parse_event(envelope("message_new", {"message": msg}))
    assert isinstance(event, VkEvent) and event.message is not None
    assert event.message.fwd_messages[0].fwd_messages[0].text == "deep"
    assert (
        event.message.reply_message is not None and event.message.reply_message.conversation_message_id == 300
    )


def test_button_payloads_are_normalised() -> None:
    as_object = parse_event(envelope("message_new", {"message": {**MESSAGE, "payload": {"cmd": "order"}}}))
    as_string = parse_event(envelope("message_new", {"message": {**MESSAGE, "payload": '{"cmd":"order"}'}}))
    assert isinstance(as_object, VkEvent) and isinstance(as_string, VkEvent)
    assert as_object.message.payload == '{"cmd": "order"}'
    assert as_string.message.payload == '{"cmd":"order"}'
    callback = parse_event(envelope("message_event", {**OBJECTS["message_event"][0], "payload": '{"a": 1}'}))
    assert isinstance(callback, VkEvent) and callback.obj.payload == {"a": 1}


def test_a_huge_text_is_kept_whole_and_flagged() -> None:
    text = "я" * (MAX_TEXT_CHARS + 5)
    event = parse_event(envelope("message_new", {"message": {**MESSAGE, "text": text}}))
    assert isinstance(event, VkEvent) and event.message is not None
    assert event.message.text == text and event.message.oversized
    normal = parse_event(envelope("message_new", {"message": MESSAGE}))
    assert not normal.message.oversized


@pytest.mark.parametrize(
    ("raw", "reason_part", "event_id", "event_type"),
    [
        ("not an object", "not an object", None, None),
        ([1, 2], "list", None, None),
        ({"event_id": "e1", "object": {}}, "no event type", "e1", None),
        (
            {"type": "message_new", "object": {"message": MESSAGE}, "group_id": GROUP},
            "no event_id",
            None,
            "message_new",
        ),
        (envelope("like_add", {"liker_id": 1}, "e2"), "unknown event type 'like_add'", "e2", "like_add"),
        (
            {**envelope("message_deny", {"user_id": 1}, "e3"), "group_id": "abc"},
            "group_id",
            "e3",
            "message_deny",
        ),
        (envelope("message_deny", None, "e4"), "object missing", "e4", "message_deny"),
        (
            envelope("message_new", {"message": {**MESSAGE, "peer_id": None}}, "e5"),
            "message.peer_id",
            "e5",
            "message_new",
        ),
        (
            envelope("message_new", {"client_info": CLIENT_INFO}, "e6"),
            "message: Field required",
            "e6",
            "message_new",
        ),
        (envelope("wall_reply_new", {**COMMENT, "text": 42}, "e7"), "text", "e7", "wall_reply_new"),
        (
            envelope("message_event", {**OBJECTS["message_event"][0], "payload": "{broken"}, "e8"),
            "payload",
            "e8",
            "message_event",
        ),
    ],
)
def test_malformed_updates_become_malformed_events_with_a_reason(
    raw: Any, reason_part: str, event_id: str | None, event_type: str | None
) -> None:
    event = parse_event(raw)
    assert isinstance(event, MalformedEvent)
    assert reason_part in event.reason
    assert event.raw is raw
    assert (event.event_id, event.type) == (event_id, event_type)


def test_pathologically_deep_nesting_does_not_raise() -> None:
    fwd: dict[str, Any] = {"from_id": 1, "date": 1, "text": "x"}
    for _ in range(5000):
        fwd = {"from_id": 1, "date": 1, "text": "x", "fwd_messages": [fwd]}
    result = parse_event(envelope("message_new", {"message": {**MESSAGE, "fwd_messages": [fwd]}}))
    assert isinstance(result, VkEvent | MalformedEvent)


def test_identities_for_deduplication() -> None:
    new = identity(parse_event(envelope("message_new", {"message": MESSAGE}, "ev-new")))
    edit = identity(parse_event(envelope("message_edit", {**MESSAGE, "update_time": 5}, "ev-edit")))
    deny = identity(parse_event(envelope("message_deny", {"user_id": 1}, "ev-deny")))
    assert (new.event_id, new.type, new.message_key, new.target_key) == (
        "ev-new",
        "message_new",
        "5123456:311",
        None,
    )
    assert (new.peer_id, new.from_id) == (5123456, 5123456)
    assert (edit.message_key, edit.target_key) == (None, "5123456:311")
    assert (deny.message_key, deny.target_key, deny.peer_id) == (None, None, 1)
    # A malformed update without an event_id still gets a stable identity from its content.
    a, b = identity(parse_event({"junk": 1})), identity(parse_event({"junk": 1}))
    c = identity(parse_event({"junk": 2}))
    assert a.event_id == b.event_id != c.event_id
    assert a.event_id.startswith("raw:") and len(a.event_id) <= 64  # fits the store's column


def test_each_type_has_its_own_class_so_code_routes_on_the_class() -> None:
    assert len(set(EVENT_MODELS.values())) == len(EVENT_MODELS)
    assert all(event_type_of(model) == name for name, model in EVENT_MODELS.items())


def test_a_forwarded_message_with_an_odd_author_still_parses() -> None:
    odd = [{"from_id": "club1", "date": 1, "text": "a"}, {"from_id": "-5", "date": 1, "text": "b"}]
    event = parse_event(envelope("message_new", {"message": {**MESSAGE, "fwd_messages": odd}}))
    assert isinstance(event, VkEvent) and event.message is not None
    assert [f.from_id for f in event.message.fwd_messages] == [None, -5]
