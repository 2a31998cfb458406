"""messages.* methods: send (with random_id de-duplication and permission rules), delete, history."""

from __future__ import annotations

from typing import Any

from vkbot.sandbox.errors import VkError, invalid, missing
from vkbot.sandbox.methods.base import COMMUNITY, Ctx, method, page

MAX_TEXT = 9000
BUTTON_TYPES = {
    "text",
    "callback",
    "open_link",
    "location",
    "vkpay",
    "open_app",
    "open_photo",
    "intent_subscribe",
    "intent_unsubscribe",
}
COLORS = {"primary", "secondary", "default", "negative", "positive"}


def validate_keyboard(keyboard: Any) -> None:
    """VK's keyboard rules (shape, action types, row and key limits); anything else is error 911."""
    if not isinstance(keyboard, dict) or not isinstance(keyboard.get("buttons"), list):
        raise VkError(911, "keyboard must be an object with buttons")
    inline = bool(keyboard.get("inline"))
    rows = keyboard["buttons"]
    max_rows, max_keys = (6, 10) if inline else (10, 40)
    if len(rows) > max_rows or sum(len(r) if isinstance(r, list) else 0 for r in rows) > max_keys:
        raise VkError(911, "too many buttons")
    for row in rows:
        if not isinstance(row, list) or len(row) > 5:
            raise VkError(911, "each row must be a list of at most 5 buttons")
        for button in row:
            action = button.get("action") if isinstance(button, dict) else None
            if not isinstance(action, dict) or action.get("type") not in BUTTON_TYPES:
                raise VkError(911, "button action type is invalid")
            if action["type"] in ("text", "callback", "open_link") and not action.get("label"):
                raise VkError(911, "button label is required")
            if "color" in button and button["color"] not in COLORS:
                raise VkError(911, "button color is invalid")
            payload = action.get("payload")
            if payload is not None and len(str(payload)) > 255:
                raise VkError(911, "button payload is longer than 255")


def _peers(ctx: Ctx) -> tuple[list[int], bool]:
    p = ctx.params
    if p.has("peer_ids"):
        return p.ints("peer_ids"), True
    for name in ("peer_id", "user_id"):
        if p.has(name):
            return [p.int(name)], False
    if p.has("chat_id"):
        return [2_000_000_000 + p.int("chat_id")], False
    raise missing("peer_id")


@method("messages.send")
def send(ctx: Ctx) -> Any:
    p, state = ctx.params, ctx.state
    peers, list_form = _peers(ctx)
    if "random_id" not in p.values:
        raise missing("random_id")
    random_id = p.int("random_id", 0)
    text = p.str("message", "")
    attachment = p.str("attachment", "")
    if not text and not attachment and not p.has("sticker_id") and not p.has("forward_messages"):
        raise invalid("message", "is empty or invalid")
    if len(text) > MAX_TEXT:
        raise VkError(914)
    keyboard = p.json("keyboard", code=911)
    if keyboard is not None:
        validate_keyboard(keyboard)
    try:
        attachments = ctx.sb.media.resolve(attachment)
    except ValueError as exc:
        raise invalid("attachment", f"has a bad item: {exc}") from None
    key = f"{ctx.acting_id}:{random_id}"
    earlier = state.dedup.get(key) if random_id else None
    if earlier is not None:
        state.deduplicated += 1
        if list_form:
            return [
                {"peer_id": peer, "message_id": earlier["m"], "conversation_message_id": earlier["c"]}
                for peer in peers
            ]
        return earlier["m"]
    results: list[dict[str, Any]] = []
    for peer in peers:
        if not state.can_write(peer):
            if not list_form:
                raise VkError(901)
            state.errors["901"] += 1
            results.append(
                {
                    "peer_id": peer,
                    "error": {"code": 901, "description": "Can't send messages for users without permission"},
                }
            )
            continue
        message = state.community_message(
            peer, text, random_id=random_id, attachments=attachments, attachment=attachment, keyboard=keyboard
        )
        results.append(
            {
                "peer_id": peer,
                "message_id": message["id"],
                "conversation_message_id": message["conversation_message_id"],
            }
        )
    sent = [r for r in results if "message_id" in r]
    if random_id and sent:
        state.dedup[key] = {"m": sent[0]["message_id"], "c": sent[0]["conversation_message_id"]}
        state.save("dedup", key, state.dedup[key])
    return results if list_form else results[0]["message_id"]


@method("messages.edit", required=("peer_id",))
def edit(ctx: Ctx) -> int:
    p, state = ctx.params, ctx.state
    message = _find(ctx, p.int("peer_id"), p.int("message_id", 0), p.int("conversation_message_id", 0))
    if message is None or message["out"] != 1:
        raise VkError(100, "message_id is invalid")
    if len(p.str("message", "")) > MAX_TEXT:
        raise VkError(914)
    state.edit_message(message["id"], p.str("message", message["text"]))
    return 1


def _find(ctx: Ctx, peer_id: int, message_id: int, cmid: int) -> dict[str, Any] | None:
    state = ctx.state
    if message_id:
        message = state.messages.get(message_id)
        return message if message and not message.get("deleted") else None
    conv = state.conversations.get(peer_id)
    if conv is None:
        return None
    for mid in reversed(conv["message_ids"]):
        message = state.messages[mid]
        if message["conversation_message_id"] == cmid and not message.get("deleted"):
            return message
    return None


@method("messages.delete")
def delete(ctx: Ctx) -> list[dict[str, Any]]:
    p, state = ctx.params, ctx.state
    if p.has("message_ids"):
        targets = [(mid, state.messages.get(mid)) for mid in p.ints("message_ids")]
    elif p.has("cmids") or p.has("conversation_message_ids"):
        peer = p.int("peer_id")
        cmids = p.ints("cmids") if p.has("cmids") else p.ints("conversation_message_ids")
        targets = [(0, _find(ctx, peer, 0, c)) for c in cmids]
    else:
        raise missing("message_ids")
    for_all = p.flag("delete_for_all")
    answer: list[dict[str, Any]] = []
    for mid, message in targets:
        if message is None or message.get("deleted"):
            answer.append(
                {
                    "peer_id": p.int("peer_id", 0),
                    "message_id": mid,
                    "conversation_message_id": 0,
                    "response": 0,
                    "error": {"code": 104, "description": "Message not found"},
                }
            )
            continue
        if for_all and message["out"] != 1 and message["peer_id"] < 2_000_000_000:
            answer.append(
                {
                    "peer_id": message["peer_id"],
                    "message_id": message["id"],
                    "conversation_message_id": message["conversation_message_id"],
                    "response": 0,
                    "error": {"code": 924, "description": "Can't delete this message for everybody"},
                }
            )
            continue
        message["deleted"] = True
        state.save("message", message["id"], message)
        answer.append(
            {
                "peer_id": message["peer_id"],
                "message_id": message["id"],
                "conversation_message_id": message["conversation_message_id"],
                "response": 1,
            }
        )
    return answer


def _visible(state: Any, peer_id: int) -> list[dict[str, Any]]:
    conv = state.conversations.get(peer_id)
    if conv is None:
        return []
    return [m for m in (state.messages[i] for i in conv["message_ids"]) if not m.get("deleted")]


def _peer_object(peer_id: int) -> dict[str, Any]:
    if peer_id >= 2_000_000_000:
        return {"id": peer_id, "type": "chat", "local_id": peer_id - 2_000_000_000}
    if peer_id < 0:
        return {"id": peer_id, "type": "group", "local_id": -peer_id}
    return {"id": peer_id, "type": "user", "local_id": peer_id}


def conversation_object(state: Any, conv: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "peer": _peer_object(conv["peer_id"]),
        "last_message_id": last["id"],
        "last_conversation_message_id": last["conversation_message_id"],
        "in_read": conv["in_read"],
        "out_read": conv["out_read"],
        "in_read_cmid": 0,
        "out_read_cmid": 0,
        "version": last["version"],
        "important": conv["important"],
        "unanswered": conv["unanswered"],
        "can_write": {"allowed": state.can_write(conv["peer_id"])},
    }
    if conv["unread"]:
        obj["unread_count"] = conv["unread"]
    return obj


@method("messages.getConversations")
def get_conversations(ctx: Ctx) -> dict[str, Any]:
    state, kind = ctx.state, ctx.params.str("filter", "all")
    rows = []
    for conv in state.conversations.values():
        visible = _visible(state, conv["peer_id"])
        if not visible:
            continue
        if (
            (kind == "unread" and not conv["unread"])
            or (kind == "unanswered" and not conv["unanswered"])
            or (kind == "important" and not conv["important"])
        ):
            continue
        rows.append((visible[-1]["id"], conv, visible[-1]))
    rows.sort(key=lambda row: row[0], reverse=True)
    items = [
        {"conversation": conversation_object(state, conv, last), "last_message": last}
        for _, conv, last in page(rows, ctx.params, 20, 200)
    ]
    answer: dict[str, Any] = {
        "count": len(rows),
        "items": items,
        "unread_count": sum(1 for _, c, _ in rows if c["unread"]),
    }
    if ctx.params.flag("extended"):
        answer["profiles"] = [
            ctx.sb.profile(c["peer_id"]) for _, c, _ in rows if 0 < c["peer_id"] < 2_000_000_000
        ]
        answer["groups"] = [ctx.sb.group_object()]
    return answer


@method("messages.getHistory")
def get_history(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    peer = p.int("peer_id") if p.has("peer_id") else p.int("user_id") if p.has("user_id") else None
    if peer is None:
        raise missing("peer_id")
    visible = _visible(ctx.state, peer)
    rev = p.flag("rev")
    ordered = visible if rev else visible[::-1]
    if p.has("start_message_id"):
        start = p.int("start_message_id")
        ordered = [m for m in ordered if (m["id"] >= start if rev else m["id"] <= start)]
    return {"count": len(visible), "items": page(ordered, p, 20, 200)}


@method("messages.getById")
def get_by_id(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    if p.has("message_ids"):
        found = [ctx.state.messages.get(mid) for mid in p.ints("message_ids")[:100]]
    else:
        peer = p.int("peer_id")
        found = [_find(ctx, peer, 0, c) for c in p.ints("cmids")[:100]]
    items = [m for m in found if m is not None and not m.get("deleted")]
    return {"count": len(items), "items": items}


@method("messages.getByConversationMessageId", required=("peer_id", "conversation_message_ids"))
def get_by_cmid(ctx: Ctx) -> dict[str, Any]:
    peer = ctx.params.int("peer_id")
    found = [_find(ctx, peer, 0, c) for c in ctx.params.ints("conversation_message_ids")[:100]]
    items = [m for m in found if m is not None]
    return {"count": len(items), "items": items}


def _conv(ctx: Ctx) -> dict[str, Any]:
    peer = ctx.params.int("peer_id")
    conv = ctx.state.conversations.get(peer)
    if conv is None:
        raise VkError(100, "peer_id is invalid: no such conversation")
    return conv


@method("messages.markAsRead")
def mark_as_read(ctx: Ctx) -> int:
    conv = _conv(ctx)
    if conv["message_ids"]:
        conv["in_read"] = conv["message_ids"][-1]
    conv["unread"] = 0
    ctx.state.save("conversation", conv["peer_id"], conv)
    return 1


@method("messages.markAsAnsweredConversation", required=("peer_id",))
def mark_as_answered(ctx: Ctx) -> int:
    conv = _conv(ctx)
    conv["unanswered"] = not (ctx.params.flag("answered") if ctx.params.has("answered") else True)
    ctx.state.save("conversation", conv["peer_id"], conv)
    return 1


@method("messages.markAsImportantConversation", required=("peer_id",))
def mark_as_important(ctx: Ctx) -> int:
    conv = _conv(ctx)
    conv["important"] = ctx.params.flag("important") if ctx.params.has("important") else True
    ctx.state.save("conversation", conv["peer_id"], conv)
    return 1


@method("messages.sendMessageEventAnswer", tokens=COMMUNITY, required=("event_id", "user_id", "peer_id"))
def send_message_event_answer(ctx: Ctx) -> int:
    event = ctx.state.button_events.get(ctx.params.str("event_id"))
    if event is None or event["user_id"] != ctx.params.int("user_id"):
        raise VkError(100, "event_id is invalid or expired")
    event["answer"] = ctx.params.json("event_data")
    return 1
