"""The sandbox's control API (JSON over HTTP under /sandbox/): act as users and VK, read what the bot did.

Every endpoint answers JSON; a bad request answers HTTP 400 ``{"error": "<what is wrong>"}``.

People and VK acting:

- ``POST /sandbox/messages`` ``{"from_id": int, "text": str, "attachments": [...], "fwd_messages": [{...}],
  "payload": str | object, "peer_id": int?, "reply_to": cmid?, "action": {...}?, "client_info": {...}?}``
  -> the message as stored (the ``message_new`` event carries it, with ``id`` 0 in chats). Attachments:
  files ``{"type": "photo" | "audio_message" | "doc" | "sticker", "name", "data_b64"}`` are stored and
  served (``/files/<name>``), each with an ``access_key``; a photo with ``"orig_photo": false`` comes as
  VK often sends it (no ``orig_photo``, its real sizes unsorted); described ones need no file:
  ``{"type": "video", "title"}``, ``{"type": "wall", "text"}``, ``{"type": "poll", "question",
  "answers"}``, ``{"type": "link", "url", "title"}``. Each forwarded message ``{"from_id", "text",
  "attachments", "fwd_messages", "date"?}`` gets its own id and cmid. ``peer_id`` >= 2000000000 is a group
  chat (service ``action`` such as ``{"type": "chat_invite_user", "member_id": -1001}`` only there);
  ``reply_to`` quotes a message of the conversation as ``reply_message``; ``client_info`` overrides VK's
  default (``{"keyboard": false, "inline_keyboard": false}``: an old client). A user who writes
  privately may be written to (until they deny). Events follow the Long Poll settings set with
  ``groups.setLongPollSettings``: unticked types are not delivered, ``api_version`` < 5.103 makes
  ``message_new``'s object the bare message, and only 5.199 events carry ``v``.
- ``POST /sandbox/messages/ID/edit`` ``{"text": str}`` -> the edited message; fires ``message_edit``.
- ``POST /sandbox/admin-messages`` ``{"peer_id": int, "text": str}`` -> a message the founder wrote by hand
  in VK: ``message_reply`` with ``admin_author_id`` (not listed by ``/sandbox/sent``).
- ``POST /sandbox/button`` ``{"from_id": int, "payload": {...}, "conversation_message_id": int?}`` -> the
  ``message_event`` object (its ``event_id`` is what ``messages.sendMessageEventAnswer`` takes).
- ``POST /sandbox/users/ID/allow`` and ``/deny`` -> ``{"user_id", "allowed"}``; fire ``message_allow`` /
  ``message_deny``.
- ``POST /sandbox/posts`` ``{"text": str, "publish_date": int?}`` -> ``{"post_id": int}`` (``wall_post_new``
  unless postponed).
- ``POST /sandbox/comments`` ``{"from_id": int, "post_id": int, "text": str, "reply_to_comment": int?}`` ->
  ``{"comment_id": int}``; fires ``wall_reply_new``.
- ``POST /sandbox/comments/ID/edit`` ``{"text": str}`` -> the comment; fires ``wall_reply_edit``.
- ``POST /sandbox/bulk`` ``{"count": N, "seed": S}`` -> ``{"count", "first_message_id", "last_message_id",
  "users"}``: N varied user messages at once, seeded (see ``vkbot.sandbox.bulk``).

Reading what happened:

- ``GET /sandbox/sent?peer_id=N`` -> the messages the community sent through the API, oldest first, each
  ``{peer_id, message_id, conversation_message_id, text, attachment, keyboard, random_id, date}``; all peers
  without ``peer_id``.
- ``GET /sandbox/history?peer_id=N`` -> every message of that conversation (deleted ones flagged).
- ``GET /sandbox/wall`` -> ``{"posts": [...], "comments": [...]}``, postponed posts included, deleted ones kept
  with ``"deleted": true``.
- ``GET /sandbox/calls`` -> ``{"methods": {"messages.send": n, ...}, "errors": {"6": n, ...},
  "deduplicated": n}``; calls inside ``execute`` are counted under their own names, the request under
  ``execute``; ``deduplicated`` counts repeated ``random_id`` sends and repeated wall ``guid`` posts.
- ``GET /sandbox/state`` -> counters and sizes (next ids, events kept, conversations, rights).

Setting the scene:

- ``POST /sandbox/reset`` -> a clean community: messages, wall, permissions, bans, events, faults, rights
  and counters cleared; ids and ts keep increasing; tokens and uploaded files stay.
- ``POST /sandbox/faults`` ``[rule, ...]`` (or ``{"rules": [...]}``) -> ``{"rules": [active rules]}``;
  ``GET /sandbox/faults`` lists them; ``DELETE /sandbox/faults`` clears them. Rule kinds: see
  ``vkbot.sandbox.faults``.
- ``POST /sandbox/rights`` ``{"wall": false, "video": false}`` -> the rights now; without ``wall``,
  ``wall.post``/``wall.edit``/``video.save`` answer error 15, as when VK did not grant the right.
- ``POST /sandbox/tokens/user`` ``{"user_id": int?, "ttl_s": int?, "rate_per_s": int?}`` -> ``{"access_token",
  "refresh_token", "expires_in", "user_id", "scope"}``, a user token as VK ID would issue (``rate_per_s``
  overrides the 3/s user limit for that token, for fast tests).
- ``POST /sandbox/tokens/expire`` -> ``{"expired": n}``: current user access tokens end now (error 5).
- ``POST /sandbox/tokens/revoke`` -> ``{"revoked": n}``: also every refresh token stops working.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from typing import Any

from aiohttp import web

from vkbot.sandbox import bulk
from vkbot.sandbox.core import Sandbox
from vkbot.sandbox.errors import VkError
from vkbot.sandbox.state import CHAT_PEER_BASE, CLIENT_INFO, now
from vkbot.sandbox.wire import SANDBOX_KEY, json_answer

FILE_TYPES = ("photo", "audio_message", "doc", "sticker")
DESCRIBED_TYPES = ("video", "wall", "poll", "link")
ATTACHMENT_TYPES = FILE_TYPES + DESCRIBED_TYPES
DEFAULT_CHAT_ACTIONS = ("chat_invite_user", "chat_kick_user", "chat_title_update", "chat_pin_message")


class BadRequest(Exception):
    """A control request that cannot be carried out; the text says why."""


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise BadRequest("the body must be JSON") from None
    if isinstance(body, list):
        return {"items": body}
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _int(body: dict[str, Any], name: str, default: int | None = None) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} must be an integer")
    return value


def _text(body: dict[str, Any], name: str = "text") -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value


def _sb(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


def injected_attachments(sb: Sandbox, owner_id: int, raw: Any) -> list[dict[str, Any]]:
    """Store injected files and describe them as VK does."""
    if not isinstance(raw, list):
        raise BadRequest("attachments must be a list")
    result = []
    for item in raw:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in ATTACHMENT_TYPES:
            raise BadRequest(f"attachment type must be one of {', '.join(ATTACHMENT_TYPES)}")
        obj = (
            _described(sb, owner_id, kind, item)
            if kind in DESCRIBED_TYPES
            else _file(sb, owner_id, kind, item)
        )
        result.append({"type": kind, kind: obj})
    return result


def _file(sb: Sandbox, owner_id: int, kind: str, item: dict[str, Any]) -> dict[str, Any]:
    try:
        data = base64.b64decode(item.get("data_b64", ""), validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("data_b64 is not base64") from None
    filename = str(item.get("name") or f"{kind}.bin")
    name = sb.media.store_file(data, filename) if data else None
    if kind == "sticker":
        return sb.media.sticker(name)
    if name is None:
        raise BadRequest(f"a {kind} attachment needs data_b64")
    if kind == "photo":
        return sb.media.photo(owner_id, name, data, orig=item.get("orig_photo", True) is not False)
    if kind == "audio_message":
        return sb.media.audio_message(owner_id, name)
    return sb.media.doc(owner_id, name, filename)


def _described(sb: Sandbox, owner_id: int, kind: str, item: dict[str, Any]) -> dict[str, Any]:
    """Attachments that need no file: a video, a shared wall post, a poll, a link."""
    title = str(item.get("title") or item.get("text") or "")
    if kind == "video":
        return sb.media.video(owner_id, title or "Видео", "", duration=int(item.get("duration", 30)))
    if kind == "wall":
        return sb.media.wall_post(int(item.get("owner_id", -sb.state.group_id)), title)
    if kind == "poll":
        answers = item.get("answers", ["Да", "Нет"])
        if not isinstance(answers, list):
            raise BadRequest("a poll's answers must be a list")
        return sb.media.poll(owner_id, str(item.get("question", title or "Опрос")), [str(a) for a in answers])
    url = item.get("url")
    if not isinstance(url, str) or not url:
        raise BadRequest("a link attachment needs a url")
    return sb.media.link(url, title)


def _forwarded(sb: Sandbox, raw: Any, peer_id: int, depth: int = 0) -> list[dict[str, Any]]:
    """Forwarded messages as VK delivers them: each with its own id, author, cmid and attachments."""
    if not isinstance(raw, list):
        raise BadRequest("fwd_messages must be a list")
    result = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRequest("each forwarded message must be an object")
        author = item.get("from_id", peer_id)
        if isinstance(author, bool) or not isinstance(author, int):
            raise BadRequest("a forwarded message's from_id must be an integer")
        message_id = item.get("id", sb.state.next_id("message"))
        result.append(
            {
                **item,
                "id": message_id,
                "date": item.get("date", now() - 86_400),
                "from_id": author,
                "peer_id": item.get("peer_id", author),
                "text": _text(item),
                # Its number in the conversation it came from (unknown here; any stable positive one).
                "conversation_message_id": item.get("conversation_message_id", message_id % 9973 + 1),
                "attachments": injected_attachments(sb, author, item.get("attachments", [])),
                "fwd_messages": _forwarded(sb, item.get("fwd_messages", []), author, depth + 1)
                if depth < 5
                else [],
            }
        )
    return result


def _reply_message(sb: Sandbox, body: dict[str, Any], peer_id: int) -> dict[str, Any] | None:
    """``reply_to`` (a cmid of this conversation) quotes that message, as VK's ``reply_message``."""
    if "reply_to" not in body:
        return None
    quoted = sb.state.quoted(peer_id, _int(body, "reply_to"))
    if quoted is None:
        raise BadRequest(f"no message with conversation_message_id {body['reply_to']} in {peer_id}")
    return quoted


def _client_info(body: dict[str, Any]) -> dict[str, Any] | None:
    """``client_info`` overrides (e.g. ``{"keyboard": false}`` for an old client) on VK's default."""
    raw = body.get("client_info")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise BadRequest("client_info must be an object")
    return {**CLIENT_INFO, **raw}


def _action(body: dict[str, Any], peer_id: int) -> dict[str, Any] | None:
    raw = body.get("action")
    if raw is None:
        return None
    if peer_id < CHAT_PEER_BASE:
        raise BadRequest("service actions happen in chats (peer_id >= 2000000000)")
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise BadRequest(f"action must be an object with a type such as {', '.join(DEFAULT_CHAT_ACTIONS)}")
    return raw


async def post_message(request: web.Request) -> Any:
    sb, body = _sb(request), await _body(request)
    from_id = _int(body, "from_id")
    if from_id <= 0:
        raise BadRequest("from_id must be a positive user id")
    peer_id = _int(body, "peer_id", from_id)
    if peer_id != from_id and peer_id < CHAT_PEER_BASE:
        raise BadRequest("peer_id is the writer's own id, or a chat's (>= 2000000000)")
    payload = body.get("payload")
    if payload is not None and not isinstance(payload, str):
        payload = json.dumps(payload, ensure_ascii=False)
    message = sb.state.user_message(
        from_id,
        _text(body),
        injected_attachments(sb, from_id, body.get("attachments", [])),
        _forwarded(sb, body.get("fwd_messages", []), from_id),
        payload,
        peer_id=peer_id,
        reply_message=_reply_message(sb, body, peer_id),
        action=_action(body, peer_id),
        client_info=_client_info(body),
    )
    return message


async def edit_message(request: web.Request) -> Any:
    sb, body = _sb(request), await _body(request)
    message_id = int(request.match_info["id"])
    if message_id not in sb.state.messages:
        raise BadRequest(f"no message {message_id}")
    return sb.state.edit_message(message_id, _text(body))


async def admin_message(request: web.Request) -> Any:
    sb, body = _sb(request), await _body(request)
    return sb.state.community_message(
        _int(body, "peer_id"), _text(body), admin_author_id=sb.options.admin_user_id
    )


async def button(request: web.Request) -> Any:
    sb, body = _sb(request), await _body(request)
    from_id = _int(body, "from_id")
    payload = body.get("payload", {})
    if not isinstance(payload, dict):
        raise BadRequest("payload must be a JSON object")
    conv = sb.state.conversations.get(from_id)
    cmid = _int(body, "conversation_message_id", conv["cmid"] if conv else 0)
    event = {
        "user_id": from_id,
        "peer_id": _int(body, "peer_id", from_id),
        "event_id": secrets.token_hex(7),
        "payload": payload,
        "conversation_message_id": cmid,
    }
    sb.state.button_events[str(event["event_id"])] = dict(event)
    sb.state.emit("message_event", event)
    return event


async def allow(request: web.Request) -> Any:
    sb = _sb(request)
    user_id = int(request.match_info["id"])
    allowed = request.match_info["action"] == "allow"
    sb.state.set_permission(user_id, allowed)
    if allowed:
        sb.state.emit("message_allow", {"user_id": user_id, "key": "sandbox"})
    else:
        sb.state.emit("message_deny", {"user_id": user_id})
    return {"user_id": user_id, "allowed": allowed}


async def post(request: web.Request) -> Any:
    sb, body = _sb(request), await _body(request)
    publish_date = body.get("publish_date")
    created = sb.state.add_post(
        _text(body), publish_date=publish_date if isinstance(publish_date, int) else None
    )
    return {"post_id": created["id"]}


async def comment(request: web.Request) -> Any:
    sb, body = _sb(request), await _body(request)
    post_id = _int(body, "post_id")
    target = sb.state.posts.get(post_id)
    if target is None or target["deleted"]:
        raise BadRequest(f"no post {post_id}")
    reply_to = body.get("reply_to_comment")
    try:
        created = sb.state.add_comment(
            post_id, _int(body, "from_id"), _text(body), reply_to if isinstance(reply_to, int) else None
        )
    except VkError as exc:  # comments closed under the post: nobody can write there
        raise BadRequest(f"post {post_id}: {exc}") from None
    return {"comment_id": created["id"]}


async def edit_comment(request: web.Request) -> Any:
    sb, body = _sb(request), await _body(request)
    found = sb.state.comments.get(int(request.match_info["id"]))
    if found is None:
        raise BadRequest("no such comment")
    found["text"] = _text(body)
    sb.state.save("comment", found["id"], found)
    sb.state.emit("wall_reply_edit", sb.state.comment_event(found))
    return sb.state.comment_event(found)


async def bulk_messages(request: web.Request) -> Any:
    sb, body = _sb(request), await _body(request)
    count = _int(body, "count")
    if not 0 < count <= 1_000_000:
        raise BadRequest("count must be between 1 and 1,000,000")
    return bulk.inject(sb, count, _int(body, "seed", sb.options.seed))


async def sent(request: web.Request) -> Any:
    state = _sb(request).state
    if "peer_id" in request.query:
        # Through the conversation's own ids: a demo running for hours polls this many times a second.
        conv = state.conversations.get(int(request.query["peer_id"]))
        ids = conv["message_ids"] if conv else []
        return [state.sent[i] for i in ids if i in state.sent]
    return list(state.sent.values())


async def history(request: web.Request) -> Any:
    state = _sb(request).state
    conv = state.conversations.get(int(request.query.get("peer_id", "0")))
    return [state.messages[i] for i in conv["message_ids"]] if conv else []


async def wall(request: web.Request) -> Any:
    state = _sb(request).state
    return {"posts": list(state.posts.values()), "comments": list(state.comments.values())}


async def calls(request: web.Request) -> Any:
    state = _sb(request).state
    return {"methods": dict(state.calls), "errors": dict(state.errors), "deduplicated": state.deduplicated}


async def summary(request: web.Request) -> Any:
    sb = _sb(request)
    return {
        "url": sb.base_url,
        "group_id": sb.state.group_id,
        "counters": dict(sb.state.counters),
        "next_ts": sb.state.next_ts,
        "events_kept": len(sb.state.events),
        "conversations": len(sb.state.conversations),
        "rights": sb.state.rights,
    }


async def reset(request: web.Request) -> Any:
    sb = _sb(request)
    sb.reset()
    return {"ok": True, "next_ts": sb.state.next_ts}


async def faults(request: web.Request) -> Any:
    sb = _sb(request)
    if request.method == "POST":
        body = await _body(request)
        rules = body.get("items", body.get("rules"))
        if not isinstance(rules, list):
            rules = [body]
        try:
            sb.faults.add(rules)
        except (ValueError, TypeError) as exc:
            raise BadRequest(f"bad fault rule: {exc}") from None
    elif request.method == "DELETE":
        sb.faults.clear()
    return {"rules": [rule.as_dict() for rule in sb.faults.rules]}


async def rights(request: web.Request) -> Any:
    sb, body = _sb(request), await _body(request)
    for name, value in body.items():
        if name not in sb.state.rights or not isinstance(value, bool):
            raise BadRequest(f"rights are {sorted(sb.state.rights)} with true or false")
        sb.state.rights[name] = value
    return dict(sb.state.rights)


async def tokens(request: web.Request) -> Any:
    sb = _sb(request)
    action = request.match_info["action"]
    if action == "user":
        body = await _body(request)
        ttl, rate = body.get("ttl_s"), body.get("rate_per_s")
        return sb.tokens.mint_user(
            _int(body, "user_id", sb.options.admin_user_id),
            ttl_s=ttl if isinstance(ttl, int) else None,
            rate_per_s=rate if isinstance(rate, int) and rate > 0 else None,
        )
    if action == "expire":
        return {"expired": sb.tokens.expire_access()}
    if action == "revoke":
        return {"revoked": sb.tokens.revoke_all()}
    raise web.HTTPNotFound()


def _wrap(handler: Any) -> Any:
    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return json_answer(await handler(request))
        except BadRequest as exc:
            return web.json_response({"error": str(exc)}, status=400)

    return run


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_post("/sandbox/messages", _wrap(post_message))
    r.add_post("/sandbox/messages/{id:\\d+}/edit", _wrap(edit_message))
    r.add_post("/sandbox/admin-messages", _wrap(admin_message))
    r.add_post("/sandbox/button", _wrap(button))
    r.add_post("/sandbox/users/{id:\\d+}/{action:allow|deny}", _wrap(allow))
    r.add_post("/sandbox/posts", _wrap(post))
    r.add_post("/sandbox/comments", _wrap(comment))
    r.add_post("/sandbox/comments/{id:\\d+}/edit", _wrap(edit_comment))
    r.add_post("/sandbox/bulk", _wrap(bulk_messages))
    r.add_get("/sandbox/sent", _wrap(sent))
    r.add_get("/sandbox/history", _wrap(history))
    r.add_get("/sandbox/wall", _wrap(wall))
    r.add_get("/sandbox/calls", _wrap(calls))
    r.add_get("/sandbox/state", _wrap(summary))
    r.add_post("/sandbox/reset", _wrap(reset))
    r.add_route("*", "/sandbox/faults", _wrap(faults))
    r.add_post("/sandbox/rights", _wrap(rights))
    r.add_post("/sandbox/tokens/{action}", _wrap(tokens))
