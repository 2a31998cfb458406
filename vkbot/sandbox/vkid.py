"""VK ID emulation: ``GET /authorize`` (auto-approved as the admin) and ``POST /oauth2/auth`` with PKCE and
refresh-token rotation, answering as id.vk.com does (errors: HTTP 400 ``{"error", "error_description"}``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiohttp import web

from vkbot.sandbox.core import Sandbox
from vkbot.sandbox.wire import SANDBOX_KEY

CODE_TTL_S = 600
CODES_KEY: web.AppKey[dict[str, dict[str, Any]]] = web.AppKey("vkid_codes", dict)


class OAuthError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def challenge_of(verifier: str) -> str:
    """PKCE S256: base64url(sha256(verifier)) without padding."""
    return _b64url(hashlib.sha256(verifier.encode()).digest())


def _id_token(sb: Sandbox, user_id: int, client_id: str) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    issued = int(time.time())
    payload = _b64url(
        json.dumps(
            {
                "iss": "VK",
                "sub": user_id,
                "aud": client_id,
                "iat": issued,
                "exp": issued + sb.options.user_token_ttl_s,
            }
        ).encode()
    )
    signature = hmac.new(sb.options.community_token.encode(), f"{header}.{payload}".encode(), hashlib.sha256)
    return f"{header}.{payload}.{_b64url(signature.digest())}"


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


async def authorize(request: web.Request) -> web.Response:
    q = request.query
    missing = [
        k for k in ("response_type", "client_id", "redirect_uri", "state", "code_challenge") if not q.get(k)
    ]
    if missing:
        return web.json_response(
            {"error": "invalid_request", "error_description": f"missing {', '.join(missing)}"}, status=400
        )
    if q["response_type"] != "code" or q.get("code_challenge_method", "s256").lower() != "s256":
        return web.json_response(
            {
                "error": "invalid_request",
                "error_description": "only response_type=code with code_challenge_method=s256",
            },
            status=400,
        )
    sb = request.app[SANDBOX_KEY]
    code = "vk2." + secrets.token_urlsafe(24)
    device_id = secrets.token_urlsafe(16)
    request.app[CODES_KEY][code] = {
        "client_id": q["client_id"],
        "redirect_uri": q["redirect_uri"],
        "challenge": q["code_challenge"],
        "device_id": device_id,
        "scope": q.get("scope", "vkid.personal_info"),
        "state": q["state"],
        "user_id": sb.options.admin_user_id,
        "expires_at": time.time() + CODE_TTL_S,
    }
    raise web.HTTPFound(
        _with_query(
            q["redirect_uri"], {"code": code, "state": q["state"], "device_id": device_id, "type": "code_v2"}
        )
    )


def _need(form: dict[str, str], *names: str) -> None:
    absent = [n for n in names if not form.get(n)]
    if absent:
        raise OAuthError("invalid_request", f"missing {', '.join(absent)}")


def _exchange_code(request: web.Request, form: dict[str, str]) -> dict[str, Any]:
    _need(form, "code", "code_verifier", "client_id", "device_id", "redirect_uri")
    grant = request.app[CODES_KEY].pop(form["code"], None)  # a code works once
    if grant is None or grant["expires_at"] < time.time():
        raise OAuthError("invalid_grant", "code is invalid or expired")
    if grant["client_id"] != form["client_id"] or grant["redirect_uri"] != form["redirect_uri"]:
        raise OAuthError("invalid_grant", "client_id or redirect_uri does not match the authorization")
    if grant["device_id"] != form["device_id"]:
        raise OAuthError("invalid_grant", "device_id does not match the authorization")
    if not hmac.compare_digest(challenge_of(form["code_verifier"]), grant["challenge"]):
        raise OAuthError("invalid_grant", "code_verifier does not match code_challenge")
    sb = request.app[SANDBOX_KEY]
    return sb.tokens.mint_user(
        grant["user_id"], grant["scope"], client_id=form["client_id"], device_id=form["device_id"]
    )


async def token(request: web.Request) -> web.Response:
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    form.update({k: v for k, v in request.query.items() if k not in form})
    sb = request.app[SANDBOX_KEY]
    try:
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            issued = _exchange_code(request, form)
        elif grant_type == "refresh_token":
            _need(form, "refresh_token", "client_id", "device_id")
            try:
                issued = sb.tokens.rotate(form["refresh_token"], form["client_id"], form["device_id"])
            except ValueError as exc:
                raise OAuthError("invalid_grant", str(exc)) from None
        else:
            raise OAuthError(
                "unsupported_grant_type", "grant_type must be authorization_code or refresh_token"
            )
    except OAuthError as exc:
        return web.json_response({"error": exc.error, "error_description": exc.description}, status=400)
    answer = {
        "access_token": issued["access_token"],
        "refresh_token": issued["refresh_token"],
        "id_token": _id_token(sb, issued["user_id"], form["client_id"]),
        "token_type": "Bearer",
        "expires_in": issued["expires_in"],
        "user_id": issued["user_id"],
        "state": form.get("state", ""),
        "scope": issued["scope"],
    }
    return web.json_response(answer)


def add_routes(app: web.Application) -> None:
    app[CODES_KEY] = {}
    app.router.add_get("/authorize", authorize)
    app.router.add_post("/oauth2/auth", token)
