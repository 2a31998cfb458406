"""The sandbox community in memory: messages, conversations, wall, events, counters (journaled)."""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import time
from collections import Counter
from typing import Any

from vkbot.sandbox.errors import VkError
from vkbot.sandbox.journal import Journal
from vkbot.sandbox.options import SandboxOptions

CLIENT_INFO = {
    "button_actions": [
        "text",
        "vkpay",
        "open_app",
        "location",
        "open_link",
        "callback",
        "intent_subscribe",
        "intent_unsubscribe",
    ],
    "keyboard": True,
    "inline_keyboard": True,
    "carousel": True,
    "lang_id": 0,
}
API_VERSION = "5.199"
CHAT_PEER_BASE = 2_000_000_000
# From this version on, message_new's object is {"message", "client_info"}; before it, the bare message.
WRAPPED_MESSAGE_NEW = (5, 103)
# Events carry "v" only from this version on (5.103-5.198 communities get events without it).
VERSION_IN_EVENTS = (5, 199)
COUNTERS = ("message", "version", "post", "comment", "event", "media", "upload", "key", "trimmed")


def now() -> int:
    return int(time.time())


def version_tuple(version: str) -> tuple[int, ...]:
    """A version as numbers, e.g. (5, 103); anything unreadable counts as the oldest version."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


def default_lp_settings() -> dict[str, Any]:
    """A community whose Long Poll is on at 5.199 with every event type ticked (unticked ones read as 1)."""
    return {"is_enabled": True, "api_version": API_VERSION, "events": {}}


class SandboxState:
    """Everything VK would know about the community; mutate only from the sandbox's event loop."""

    def __init__(self, options: SandboxOptions, journal: Journal | None = None) -> None:
        self.options = options
        self.group_id = options.group_id
        self.journal = journal
        self.counters: dict[str, int] = dict.fromkeys(COUNTERS, 0)
        self.media: dict[str, dict[str, Any]] = {}  # "photo-1001_5" -> VK object (survives reset)
        self.tokens: dict[str, dict[str, Any]] = {}  # token stores keep their records here (journaled)
        self.lp_keys: list[str] = []
        self._changed = asyncio.Event()
        self._waiters = 0
        self._clear_community()
        if journal is not None:
            self._load(journal)

    # -- lifecycle -------------------------------------------------------------------------------------

    def _clear_community(self) -> None:
        self.messages: dict[int, dict[str, Any]] = {}
        self.conversations: dict[int, dict[str, Any]] = {}
        self.sent: dict[int, dict[str, Any]] = {}  # message_id -> /sandbox/sent record
        self.permissions: dict[int, bool] = {}
        self.dedup: dict[str, Any] = {}  # "sender:random_id" -> earlier response
        self.posts: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        self.guids: dict[str, int] = {}
        self.bans: dict[int, dict[str, Any]] = {}
        self.event_seqs: list[int] = []
        self.events: list[dict[str, Any]] = []
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.deduplicated = 0
        self.rights: dict[str, bool] = {"wall": True, "video": True}
        self.lp_settings: dict[str, Any] = default_lp_settings()
        self.button_events: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        """A clean community; ids and ts keep increasing, tokens and uploaded media stay."""
        self._clear_community()
        if self.journal is not None:
            self.journal.clear_community()

    def _load(self, journal: Journal) -> None:
        counters, records = journal.load()
        for name, value in counters.items():
            self.counters[name] = max(self.counters.get(name, 0), value)
        int_maps = {
            "message": self.messages,
            "conversation": self.conversations,
            "sent": self.sent,
            "post": self.posts,
            "comment": self.comments,
            "ban": self.bans,
        }
        for kind, table in int_maps.items():
            for key, obj in records.get(kind, []):
                table[int(key)] = obj
        self.permissions = {int(k): bool(v) for k, v in records.get("permission", [])}
        self.dedup = dict(records.get("dedup", []))
        self.guids = {k: int(v) for k, v in records.get("guid", [])}
        self.media = dict(records.get("media", []))
        self.tokens = dict(records.get("token", []))
        for seq, event in sorted(((int(k), v) for k, v in records.get("event", [])), key=lambda kv: kv[0]):
            self.event_seqs.append(seq)
            self.events.append(event)
        self.lp_keys = [k for k, _ in records.get("lpkey", [])]
        for _, settings in records.get("lpsettings", []):
            self.lp_settings = settings
        # Ids must never repeat, even if a crash lost the last counter flush.
        for name, table in (("message", self.messages), ("post", self.posts), ("comment", self.comments)):
            if table:
                self.counters[name] = max(self.counters[name], max(table))
        if self.event_seqs:
            self.counters["event"] = max(self.counters["event"], self.event_seqs[-1])

    def save(self, kind: str, key: object, obj: Any) -> None:
        if self.journal is not None:
            self.journal.put(kind, key, obj)

    def next_id(self, name: str) -> int:
        self.counters[name] += 1
        return self.counters[name]

    # -- long-poll events --------------------------------------------------------------------------------

    def save_lp_settings(self) -> None:
        self.save("lpsettings", "settings", self.lp_settings)

    def delivers(self, event_type: str) -> bool:
        """Whether the community's Long Poll settings let this event type out (VK drops unticked ones)."""
        settings = self.lp_settings
        return bool(settings["is_enabled"]) and bool(settings["events"].get(event_type, 1))

    def emit(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any] | None:
        """Append one event in VK's envelope, shaped by the Long Poll settings' api_version, and wake the
        pollers; None when the settings do not deliver this type (the event is lost for good, as on VK)."""
        if not self.delivers(event_type):
            return None
        version = str(self.lp_settings["api_version"])
        if event_type == "message_new" and version_tuple(version) < WRAPPED_MESSAGE_NEW:
            obj = obj["message"]
        seq = self.next_id("event")
        event = {
            "type": event_type,
            "object": obj,
            "group_id": self.group_id,
            "event_id": hashlib.sha1(f"{self.group_id}:{seq}".encode()).hexdigest(),
        }
        if version_tuple(version) >= VERSION_IN_EVENTS:
            event["v"] = version
        self.event_seqs.append(seq)
        self.events.append(event)
        self.save("event", seq, event)
        self._trim_events()
        self.wake()
        return event

    def _trim_events(self) -> None:
        window = self.options.event_window
        if len(self.events) > window + window // 10:
            cut = len(self.events) - window
            if self.journal is not None:
                for seq in self.event_seqs[:cut]:
                    self.journal.delete("event", seq)
            self.counters["trimmed"] = self.event_seqs[cut - 1]
            del self.events[:cut], self.event_seqs[:cut]

    def wake(self) -> None:
        if self._waiters:
            changed, self._changed = self._changed, asyncio.Event()
            changed.set()

    @property
    def next_ts(self) -> int:
        """The ts a fresh long-poll session starts from: the number of the next event."""
        return self.counters["event"] + 1

    def events_from(self, ts: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Events numbered ``ts`` and later (at most ``limit``) and the ts to ask for next."""
        start = bisect.bisect_left(self.event_seqs, ts)
        chunk = self.events[start : start + limit]
        if not chunk:
            return [], max(ts, 1) if ts <= self.next_ts else self.next_ts
        return chunk, self.event_seqs[start + len(chunk) - 1] + 1

    def drop_pending(self, ts: int) -> int:
        """``failed: 3``: the events from ``ts`` on leave the stream (the messages stay in history)."""
        start = bisect.bisect_left(self.event_seqs, ts)
        dropped = self.event_seqs[start:]
        if self.journal is not None:
            for seq in dropped:
                self.journal.delete("event", seq)
        del self.events[start:], self.event_seqs[start:]
        return len(dropped)

    async def wait_for_events(self, ts: int, wait_s: float) -> None:
        """Return when an event numbered ``ts`` or later exists, or after ``wait_s`` seconds."""
        deadline = asyncio.get_running_loop().time() + wait_s
        while not (self.event_seqs and self.event_seqs[-1] >= ts):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return
            self._waiters += 1
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return
            finally:
                self._waiters -= 1

    def new_lp_key(self) -> str:
        key = hashlib.sha1(
            f"key:{self.options.seed}:{self.next_id('key')}:{time.time_ns()}".encode()
        ).hexdigest()
        self.lp_keys.append(key)
        self.save("lpkey", key, 1)
        return key

    def expire_lp_key(self, key: str) -> None:
        if key in self.lp_keys:
            self.lp_keys.remove(key)
            if self.journal is not None:
                self.journal.delete("lpkey", key)

    # -- messages ----------------------------------------------------------------------------------------

    def conversation(self, peer_id: int) -> dict[str, Any]:
        conv = self.conversations.get(peer_id)
        if conv is None:
            conv = {
                "peer_id": peer_id,
                "cmid": 0,
                "message_ids": [],
                "in_read": 0,
                "out_read": 0,
                "unread": 0,
                "important": False,
                "unanswered": False,
            }
            self.conversations[peer_id] = conv
        return conv

    def _new_message(self, peer_id: int, from_id: int, text: str, out: int, **extra: Any) -> dict[str, Any]:
        conv = self.conversation(peer_id)
        conv["cmid"] += 1
        message_id = self.next_id("message")
        message: dict[str, Any] = {
            "id": message_id,
            "date": now(),
            "peer_id": peer_id,
            "from_id": from_id,
            "text": text,
            "conversation_message_id": conv["cmid"],
            "out": out,
            "version": self.next_id("version"),
            "random_id": 0,
            "fwd_messages": [],
            "attachments": [],
            "important": False,
            "is_hidden": False,
        }
        message.update(extra)
        self.messages[message_id] = message
        conv["message_ids"].append(message_id)
        if out:
            conv["out_read"] = message_id
            conv["in_read"] = message_id
            conv["unread"] = 0
            conv["unanswered"] = False
        else:
            conv["unread"] += 1
            conv["unanswered"] = True
        self.save("message", message_id, message)
        self.save("conversation", peer_id, conv)
        return message

    def user_message(
        self,
        from_id: int,
        text: str,
        attachments: list[dict[str, Any]] | None = None,
        fwd_messages: list[dict[str, Any]] | None = None,
        payload: str | None = None,
        *,
        peer_id: int | None = None,
        reply_message: dict[str, Any] | None = None,
        action: dict[str, Any] | None = None,
        client_info: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A person writes to the community (privately, or in a chat ``peer_id`` >= 2000000000):
        history, permission to reply (private only), ``message_new``."""
        peer = from_id if peer_id is None else peer_id
        extra: dict[str, Any] = {"attachments": attachments or [], "fwd_messages": fwd_messages or []}
        if payload is not None:
            extra["payload"] = payload
        if reply_message is not None:
            extra["reply_message"] = reply_message
        if action is not None:
            extra["action"] = action
        message = self._new_message(peer, from_id, text, 0, **extra)
        delivered = dict(message)
        if peer >= CHAT_PEER_BASE:
            delivered["id"] = 0  # VK gives bots chat messages without an id (cmid identifies them)
        else:
            self.set_permission(from_id, True)
        self.emit("message_new", {"message": delivered, "client_info": client_info or CLIENT_INFO})
        return message

    def quoted(self, peer_id: int, cmid: int) -> dict[str, Any] | None:
        """A message of this conversation as VK puts it in ``reply_message`` (None if there is none)."""
        conv = self.conversations.get(peer_id)
        for message_id in conv["message_ids"] if conv else []:
            message = self.messages[message_id]
            if message["conversation_message_id"] == cmid:
                keep = ("date", "from_id", "text", "attachments", "conversation_message_id", "peer_id", "id")
                return {key: message[key] for key in keep if key in message}
        return None

    def community_message(
        self,
        peer_id: int,
        text: str,
        *,
        random_id: int = 0,
        attachments: list[dict[str, Any]] | None = None,
        attachment: str = "",
        keyboard: Any = None,
        admin_author_id: int | None = None,
    ) -> dict[str, Any]:
        """The community writes (API or the founder by hand); VK fires ``message_reply`` for both."""
        extra: dict[str, Any] = {"random_id": random_id, "attachments": attachments or []}
        if keyboard is not None:
            extra["keyboard"] = keyboard
        if admin_author_id is not None:
            extra["admin_author_id"] = admin_author_id
        message = self._new_message(peer_id, -self.group_id, text, 1, **extra)
        if admin_author_id is None:
            record = {
                "peer_id": peer_id,
                "message_id": message["id"],
                "text": text,
                "attachment": attachment,
                "keyboard": keyboard,
                "random_id": random_id,
                "date": message["date"],
                "conversation_message_id": message["conversation_message_id"],
            }
            self.sent[message["id"]] = record
            self.save("sent", message["id"], record)
        self.emit("message_reply", dict(message))
        return message

    def edit_message(self, message_id: int, text: str) -> dict[str, Any]:
        message = self.messages[message_id]
        message["text"] = text
        message["update_time"] = now()
        message["version"] = self.next_id("version")
        self.save("message", message_id, message)
        self.emit("message_edit", dict(message))
        return message

    def set_permission(self, user_id: int, allowed: bool) -> None:
        if self.permissions.get(user_id) is not allowed:
            self.permissions[user_id] = allowed
            self.save("permission", user_id, allowed)

    def can_write(self, peer_id: int) -> bool:
        if peer_id >= CHAT_PEER_BASE or peer_id < 0:
            return True
        return self.permissions.get(peer_id, False)

    # -- wall ---------------------------------------------------------------------------------------------

    def add_post(
        self,
        text: str,
        *,
        from_id: int | None = None,
        attachments: list[dict[str, Any]] | None = None,
        publish_date: int | None = None,
        created_by: int | None = None,
        postponed_id: int | None = None,
        close_comments: bool = False,
    ) -> dict[str, Any]:
        post_id = self.next_id("post")
        postponed = publish_date is not None and publish_date > now()
        post: dict[str, Any] = {
            "id": post_id,
            "owner_id": -self.group_id,
            "from_id": from_id if from_id is not None else -self.group_id,
            "created_by": created_by if created_by is not None else self.options.admin_user_id,
            "date": publish_date if postponed else now(),
            "text": text,
            "post_type": "postpone" if postponed else "post",
            "attachments": attachments or [],
            "comments": {"count": 0, "can_post": 0 if close_comments else 1},
            "likes": {"count": 0},
            "deleted": False,
        }
        self.posts[post_id] = post
        self.save("post", post_id, post)
        if not postponed:
            event_post = dict(post)
            del event_post["deleted"]
            if postponed_id is not None:
                event_post["postponed_id"] = postponed_id
            self.emit("wall_post_new", event_post)
        return post

    def publish_due_posts(self) -> None:
        """Postponed posts whose time came go live as new posts, as VK does."""
        moment = now()
        for post in list(self.posts.values()):
            if post["post_type"] == "postpone" and not post["deleted"] and post["date"] <= moment:
                post["deleted"] = True
                post["published_as"] = self.add_post(
                    post["text"],
                    attachments=post["attachments"],
                    postponed_id=post["id"],
                    close_comments=not post["comments"]["can_post"],
                )["id"]
                self.save("post", post["id"], post)

    def add_comment(
        self,
        post_id: int,
        from_id: int,
        text: str,
        reply_to_comment: int | None = None,
        attachments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        post = self.posts.get(post_id)
        if post is not None and not post["comments"]["can_post"]:
            raise VkError(213, "Access to post comments denied: comments are closed")
        comment_id = self.next_id("comment")
        comment: dict[str, Any] = {
            "id": comment_id,
            "from_id": from_id,
            "date": now(),
            "text": text,
            "post_id": post_id,
            "owner_id": -self.group_id,
            "parents_stack": [reply_to_comment] if reply_to_comment else [],
            "attachments": attachments or [],
            "deleted": False,
        }
        if reply_to_comment:
            comment["reply_to_comment"] = reply_to_comment
        self.comments[comment_id] = comment
        if post is not None:
            post["comments"]["count"] += 1
            self.save("post", post_id, post)
        self.save("comment", comment_id, comment)
        self.emit("wall_reply_new", self.comment_event(comment))
        return comment

    def comment_event(self, comment: dict[str, Any]) -> dict[str, Any]:
        obj = {k: v for k, v in comment.items() if k != "deleted"}
        obj["post_owner_id"] = -self.group_id
        return obj
