"""Access tokens the sandbox accepts (community and user kinds), their expiry, and per-token rate limits."""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from vkbot.sandbox.errors import VkError
from vkbot.sandbox.state import SandboxState


@dataclass(frozen=True)
class Caller:
    """Who is calling: ``kind`` is "community" or "user"; ``user_id`` is 0 for the community."""

    token: str
    kind: str
    user_id: int = 0
    rate_per_s: int | None = None  # this token's own limit, when minted with one


class TokenBook:
    """Community token from the options; user tokens minted by VK ID or the control API (journaled)."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.options = state.options
        self._windows: dict[str, deque[float]] = {}
        self.user_rate_per_s = self.options.user_rate_per_s

    # -- identification ----------------------------------------------------------------------------------

    def identify(self, token: str | None) -> Caller:
        if not token:
            raise VkError(5, "no access_token passed.")
        if secrets.compare_digest(token, self.options.community_token):
            return Caller(token, "community")
        record = self.state.tokens.get(f"access:{token}")
        if record is None or record.get("revoked"):
            raise VkError(5, "invalid access_token (4).")
        if record["expires_at"] <= time.time():
            raise VkError(5, "access_token has expired.")
        return Caller(token, "user", record["user_id"], record.get("rate_per_s"))

    def check_rate(self, caller: Caller) -> None:
        """At most N requests in any rolling second per token; rejected requests are not counted."""
        limit = self.options.rate_per_s if caller.kind == "community" else self.user_rate_per_s
        if caller.rate_per_s:
            limit = caller.rate_per_s
        window = self._windows.setdefault(caller.token, deque())
        moment = time.monotonic()
        while window and moment - window[0] >= 1.0:
            window.popleft()
        if len(window) >= limit:
            raise VkError(6)
        window.append(moment)

    def reset_windows(self) -> None:
        self._windows.clear()

    # -- user tokens ---------------------------------------------------------------------------------------

    def _put(self, key: str, record: dict[str, Any]) -> None:
        self.state.tokens[key] = record
        self.state.save("token", key, record)

    def mint_user(
        self,
        user_id: int | None = None,
        scope: str = "wall,groups,video,photos,docs,messages",
        ttl_s: int | None = None,
        client_id: str = "",
        device_id: str = "",
        rate_per_s: int | None = None,
    ) -> dict[str, Any]:
        """A fresh access + refresh pair, VK ID style."""
        user_id = user_id or self.options.admin_user_id
        ttl = self.options.user_token_ttl_s if ttl_s is None else ttl_s
        access = "vk1.a." + secrets.token_urlsafe(32)
        refresh = "vk1.r." + secrets.token_urlsafe(32)
        self._put(
            f"access:{access}",
            {"user_id": user_id, "expires_at": time.time() + ttl, "scope": scope, "rate_per_s": rate_per_s},
        )
        self._put(
            f"refresh:{refresh}",
            {
                "user_id": user_id,
                "scope": scope,
                "client_id": client_id,
                "device_id": device_id,
                "used": False,
            },
        )
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": ttl,
            "user_id": user_id,
            "scope": scope,
        }

    def rotate(self, refresh_token: str, client_id: str, device_id: str) -> dict[str, Any]:
        """Exchange a refresh token once; the old one stops working. Raises ``ValueError`` with the reason."""
        record = self.state.tokens.get(f"refresh:{refresh_token}")
        if record is None or record.get("revoked"):
            raise ValueError("refresh token is invalid or revoked")
        if record.get("used"):
            raise ValueError("refresh token was already used")
        if record.get("client_id") and client_id != record["client_id"]:
            raise ValueError("client_id does not match the refresh token")
        if record.get("device_id") and device_id != record["device_id"]:
            raise ValueError("device_id does not match the refresh token")
        record["used"] = True
        self._put(f"refresh:{refresh_token}", record)
        return self.mint_user(record["user_id"], record["scope"], client_id=client_id, device_id=device_id)

    def expire_access(self) -> int:
        """End every current user access token now (refresh tokens keep working)."""
        count = 0
        for key, record in list(self.state.tokens.items()):
            if key.startswith("access:") and record["expires_at"] > time.time():
                record["expires_at"] = time.time() - 1
                self._put(key, record)
                count += 1
        return count

    def revoke_all(self) -> int:
        """Expire access tokens and revoke every refresh token."""
        count = self.expire_access()
        for key, record in list(self.state.tokens.items()):
            if key.startswith("refresh:") and not record.get("revoked"):
                record["revoked"] = True
                self._put(key, record)
                count += 1
        return count
