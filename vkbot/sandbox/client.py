"""Async client of the sandbox's control API (tests, demo, benchmarks); answers are plain dicts and lists."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import aiohttp


class SandboxControlError(Exception):
    """The control API refused a request (HTTP 4xx/5xx); the text is its reason."""


class SandboxControl:
    """Act as users and as VK on a running sandbox, and read what the community did."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url.rstrip("/")

    async def _request(
        self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        async with self.session.request(
            method, f"{self.url}/sandbox/{path}", json=body, params=params
        ) as resp:
            data = await resp.json(content_type=None)
            if resp.status >= 400:
                reason = data.get("error") if isinstance(data, dict) else data
                raise SandboxControlError(f"{method} /sandbox/{path}: HTTP {resp.status}: {reason}")
            return data

    @staticmethod
    def attachment(kind: str, name: str, data: bytes, **extra: Any) -> dict[str, Any]:
        """An item for ``inject_message(attachments=[...])`` (``orig_photo=False``: a photo as VK often
        sends it); video, wall, poll and link items are plain dicts (see the control API)."""
        return {"type": kind, "name": name, "data_b64": base64.b64encode(data).decode(), **extra}

    # -- acting as people --------------------------------------------------------------------------------

    async def inject_message(
        self,
        from_id: int,
        text: str = "",
        attachments: list[dict[str, str]] | None = None,
        fwd_messages: list[dict[str, Any]] | None = None,
        payload: dict[str, Any] | str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """``extra``: ``peer_id`` (a chat), ``reply_to`` (a cmid to quote), ``action``, ``client_info``
        (see ``POST /sandbox/messages`` in ``vkbot.sandbox.control``)."""
        body: dict[str, Any] = {
            "from_id": from_id,
            "text": text,
            "attachments": attachments or [],
            "fwd_messages": fwd_messages or [],
            **extra,
        }
        if payload is not None:
            body["payload"] = payload
        return await self._request("POST", "messages", body)

    async def edit_message(self, message_id: int, text: str) -> dict[str, Any]:
        return await self._request("POST", f"messages/{message_id}/edit", {"text": text})

    async def admin_message(self, peer_id: int, text: str) -> dict[str, Any]:
        return await self._request("POST", "admin-messages", {"peer_id": peer_id, "text": text})

    async def press_button(
        self, from_id: int, payload: dict[str, Any], conversation_message_id: int | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"from_id": from_id, "payload": payload}
        if conversation_message_id is not None:
            body["conversation_message_id"] = conversation_message_id
        return await self._request("POST", "button", body)

    async def allow(self, user_id: int) -> dict[str, Any]:
        return await self._request("POST", f"users/{user_id}/allow")

    async def deny(self, user_id: int) -> dict[str, Any]:
        return await self._request("POST", f"users/{user_id}/deny")

    async def create_post(self, text: str, publish_date: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text}
        if publish_date is not None:
            body["publish_date"] = publish_date
        return await self._request("POST", "posts", body)

    async def add_comment(
        self, from_id: int, post_id: int, text: str, reply_to_comment: int | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"from_id": from_id, "post_id": post_id, "text": text}
        if reply_to_comment is not None:
            body["reply_to_comment"] = reply_to_comment
        return await self._request("POST", "comments", body)

    async def edit_comment(self, comment_id: int, text: str) -> dict[str, Any]:
        return await self._request("POST", f"comments/{comment_id}/edit", {"text": text})

    async def bulk(self, count: int, seed: int = 1) -> dict[str, Any]:
        return await self._request("POST", "bulk", {"count": count, "seed": seed})

    # -- reading -------------------------------------------------------------------------------------------

    async def sent(self, peer_id: int | None = None) -> list[dict[str, Any]]:
        return await self._request(
            "GET", "sent", params={"peer_id": peer_id} if peer_id is not None else None
        )

    async def history(self, peer_id: int) -> list[dict[str, Any]]:
        return await self._request("GET", "history", params={"peer_id": peer_id})

    async def wall(self) -> dict[str, Any]:
        return await self._request("GET", "wall")

    async def calls(self) -> dict[str, Any]:
        return await self._request("GET", "calls")

    async def wait_for_call(self, method: str, count: int = 1, timeout_s: float = 10.0) -> None:
        """Until ``/sandbox/calls`` shows ``count`` calls of ``method`` (e.g. a listener's getLongPollServer:
        a listener starting from the server's ts never sees messages injected before it connected)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while (await self.calls())["methods"].get(method, 0) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{method} was not called {count} time(s) within {timeout_s} s")
            await asyncio.sleep(0.02)

    async def summary(self) -> dict[str, Any]:
        return await self._request("GET", "state")

    # -- the scene -----------------------------------------------------------------------------------------

    async def reset(self) -> dict[str, Any]:
        return await self._request("POST", "reset")

    async def add_faults(self, *rules: dict[str, Any]) -> dict[str, Any]:
        return await self._request("POST", "faults", list(rules))

    async def clear_faults(self) -> dict[str, Any]:
        return await self._request("DELETE", "faults")

    async def sent_keyboard(self, peer_id: int) -> tuple[str, list[dict[str, Any]]]:
        """The community's last message to ``peer_id`` (text) and the buttons a person sees under it: the
        last message's inline keyboard, or the newest standard one (each ``{"label", "payload"}``)."""
        sent = await self.sent(peer_id)
        text = sent[-1]["text"] if sent else ""
        for message in reversed(sent):
            keyboard = message.get("keyboard")
            if not keyboard:
                continue
            data = json.loads(keyboard) if isinstance(keyboard, str) else keyboard
            if data.get("inline") and message is not sent[-1]:
                continue  # an older message's inline buttons: a person answers the newest question
            buttons = [
                {"label": b["action"].get("label", ""), "payload": _payload(b["action"].get("payload"))}
                for row in data.get("buttons", [])
                for b in row
                if b.get("action", {}).get("type") in ("text", "callback")
            ]
            return text, buttons
        return text, []

    async def set_rights(self, **rights: bool) -> dict[str, Any]:
        return await self._request("POST", "rights", rights)

    async def mint_user_token(
        self, user_id: int | None = None, ttl_s: int | None = None, rate_per_s: int | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if rate_per_s is not None:
            body["rate_per_s"] = rate_per_s
        if user_id is not None:
            body["user_id"] = user_id
        if ttl_s is not None:
            body["ttl_s"] = ttl_s
        return await self._request("POST", "tokens/user", body)

    async def expire_user_tokens(self) -> dict[str, Any]:
        return await self._request("POST", "tokens/expire")

    async def revoke_user_tokens(self) -> dict[str, Any]:
        return await self._request("POST", "tokens/revoke")


def _payload(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
