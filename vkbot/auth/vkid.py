"""HTTP client of VK ID (id.vk.com): the authorize link, the code exchange and refresh-token rotation.

Errors: ``VkIdRefused`` when VK ID answers an OAuth error (the grant is dead: revoked, used, expired),
``VkIdUnavailable`` when it could not be reached or answered nonsense (try again later). Neither carries
a token, a code or a verifier in its text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp


class VkIdError(Exception):
    """VK ID did not give us tokens."""


class VkIdRefused(VkIdError):
    """VK ID answered with an OAuth error such as ``invalid_grant``: only a new connect helps."""

    def __init__(self, error: str, description: str):
        super().__init__(f"VK ID refused: {error}: {description}"[:300])
        self.error = error
        self.description = description


class VkIdUnavailable(VkIdError):
    """VK ID could not be reached or answered something other than tokens; worth retrying later."""


class BadRedirect(VkIdError):
    """The pasted redirect URL is not the answer to our link (no code, an error, or a foreign state)."""


@dataclass(frozen=True)
class TokenGrant:
    """What VK ID issued; ``repr`` hides the tokens."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    user_id: int
    scope: str

    def expires_at(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.expires_in)


@dataclass(frozen=True)
class Redirect:
    """What VK ID's redirect carries back to us."""

    code: str = field(repr=False)
    state: str
    device_id: str


def parse_redirect(url: str) -> Redirect:
    """Read ``code``, ``state`` and ``device_id`` from the URL the browser was sent to."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(url.strip()).query).items() if v}
    if "error" in query:
        raise BadRedirect(f"VK ID did not authorise: {query['error']}: {query.get('error_description', '')}")
    missing = [k for k in ("code", "state", "device_id") if not query.get(k)]
    if missing:
        raise BadRedirect(f"the redirect URL lacks {', '.join(missing)}: paste the whole address")
    return Redirect(query["code"], query["state"], query["device_id"])


class VkIdClient:
    """Talks to VK ID's ``/authorize`` (a link for the admin's browser) and ``/oauth2/auth`` endpoints."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        client_id: str,
        redirect_uri: str,
        timeout_s: float = 30,
    ):
        self._session = session
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._client_id = client_id
        self._redirect_uri = redirect_uri
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    def __repr__(self) -> str:
        return f"VkIdClient(base_url={self._base_url!r}, client_id={self._client_id!r})"

    def authorize_url(self, *, challenge: str, state: str, scope: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self._client_id,
            "redirect_uri": self._redirect_uri,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "s256",
            "scope": scope,
        }
        return f"{self._base_url}authorize?{urlencode(query)}"

    async def exchange(self, redirect: Redirect, verifier: str) -> TokenGrant:
        """Trade the one-time code for tokens (PKCE proves we made the link)."""
        return await self._token(
            {
                "grant_type": "authorization_code",
                "code": redirect.code,
                "code_verifier": verifier,
                "client_id": self._client_id,
                "device_id": redirect.device_id,
                "redirect_uri": self._redirect_uri,
                "state": redirect.state,
            }
        )

    async def refresh(self, refresh_token: str, device_id: str, state: str) -> TokenGrant:
        """A new access token and a new refresh token; the old refresh token stops working."""
        return await self._token(
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": self._client_id,
                "device_id": device_id,
                "state": state,
            }
        )

    async def _token(self, form: dict[str, str]) -> TokenGrant:
        grant_type = form["grant_type"]
        try:
            async with self._session.post(
                self._base_url + "oauth2/auth", data=form, timeout=self._timeout
            ) as resp:
                status = resp.status
                body = await resp.read()
        except TimeoutError:
            raise VkIdUnavailable(f"VK ID {grant_type}: no answer in time") from None
        except aiohttp.ClientError as exc:
            # The form holds secrets; the exception text of aiohttp does not, but name only its type.
            raise VkIdUnavailable(f"VK ID {grant_type}: {type(exc).__name__}") from None
        data = _json(body)
        if data is not None and isinstance(data.get("error"), str) and 400 <= status < 500:
            raise VkIdRefused(data["error"], str(data.get("error_description", "")))
        if status != 200 or data is None:
            raise VkIdUnavailable(f"VK ID {grant_type}: HTTP {status}, no tokens in the answer")
        return _grant(grant_type, data)


def _json(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _grant(grant_type: str, data: dict[str, Any]) -> TokenGrant:
    try:
        return TokenGrant(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_in=int(data.get("expires_in") or 3600),
            user_id=int(data["user_id"]),
            scope=str(data.get("scope", "")),
        )
    except (KeyError, TypeError, ValueError):
        raise VkIdUnavailable(f"VK ID {grant_type}: the answer lacks tokens or user_id") from None


def vkid_client(http: aiohttp.ClientSession, config: Any) -> VkIdClient:
    """The VK ID client for the app's config (``[vk]`` app settings, ``[auth]`` timeout)."""
    return VkIdClient(
        http,
        base_url=config.vk.oauth_base_url,
        client_id=config.vk.app_client_id,
        redirect_uri=config.vk.redirect_uri,
        timeout_s=config.auth.request_timeout_s,
    )
