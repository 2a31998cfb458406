"""VK ID emulation: authorization code flow with PKCE, refresh rotation, expiry and revocation."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from vkbot.sandbox import SandboxControl

CLIENT_ID = "51234567"
REDIRECT = "http://localhost:8765/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)[:64]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def authorize(session: aiohttp.ClientSession, url: str, challenge: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "state": "st-1",
        "code_challenge": challenge,
        "code_challenge_method": "s256",
        "scope": "wall groups video",
    }
    async with session.get(f"{url}/authorize", params=params, allow_redirects=False) as resp:
        assert resp.status == 302
        location = resp.headers["Location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def token(session: aiohttp.ClientSession, url: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    async with session.post(f"{url}/oauth2/auth", data=form) as resp:
        return resp.status, await resp.json()


async def test_code_flow_with_pkce_then_refresh_rotation(sandbox: SandboxControl, vk_call) -> None:
    verifier, challenge = pkce()
    async with aiohttp.ClientSession() as session:
        redirect = await authorize(session, sandbox.url, challenge)
        assert redirect["state"] == "st-1" and redirect["code"] and redirect["device_id"]
        exchange = {
            "grant_type": "authorization_code",
            "code": redirect["code"],
            "client_id": CLIENT_ID,
            "device_id": redirect["device_id"],
            "redirect_uri": REDIRECT,
            "state": "st-2",
        }
        status, wrong = await token(session, sandbox.url, {**exchange, "code_verifier": "x" * 43})
        assert status == 400 and wrong["error"] == "invalid_grant"
        # A code that met a wrong verifier is spent, as with one-time codes; authorize again.
        redirect = await authorize(session, sandbox.url, challenge)
        exchange.update(code=redirect["code"], device_id=redirect["device_id"], code_verifier=verifier)
        status, issued = await token(session, sandbox.url, exchange)
        assert status == 200, issued
        assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600 and issued["user_id"] == 1
        assert issued["state"] == "st-2" and issued["id_token"].count(".") == 2
        me = await vk_call("users.get", token=issued["access_token"])
        assert me["response"][0]["id"] == 1

        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": issued["refresh_token"],
            "client_id": CLIENT_ID,
            "device_id": redirect["device_id"],
            "state": "st-3",
        }
        status, renewed = await token(session, sandbox.url, refresh)
        assert status == 200 and renewed["refresh_token"] != issued["refresh_token"]
        status, reused = await token(session, sandbox.url, refresh)
        assert status == 400 and reused["error"] == "invalid_grant"  # rotation: the old one is spent
        assert "response" in await vk_call("users.get", token=renewed["access_token"])

        await sandbox.expire_user_tokens()
        assert (await vk_call("users.get", token=renewed["access_token"]))["error"]["error_code"] == 5
        refresh["refresh_token"] = renewed["refresh_token"]
        status, after_expiry = await token(session, sandbox.url, refresh)
        assert status == 200 and "response" in await vk_call("users.get", token=after_expiry["access_token"])

        await sandbox.revoke_user_tokens()
        refresh["refresh_token"] = after_expiry["refresh_token"]
        status, revoked = await token(session, sandbox.url, refresh)
        assert status == 400 and revoked["error"] == "invalid_grant"
        assert (await vk_call("users.get", token=after_expiry["access_token"]))["error"]["error_code"] == 5


async def test_a_code_is_bound_to_its_client_and_redirect(sandbox: SandboxControl) -> None:
    verifier, challenge = pkce()
    async with aiohttp.ClientSession() as session:
        redirect = await authorize(session, sandbox.url, challenge)
        status, answer = await token(
            session,
            sandbox.url,
            {
                "grant_type": "authorization_code",
                "code": redirect["code"],
                "code_verifier": verifier,
                "client_id": "other",
                "device_id": redirect["device_id"],
                "redirect_uri": REDIRECT,
            },
        )
        assert status == 400 and answer["error"] == "invalid_grant"
        status, answer = await token(session, sandbox.url, {"grant_type": "password"})
        assert status == 400 and answer["error"] == "unsupported_grant_type"
