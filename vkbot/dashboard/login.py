"""Signing in and out, and the language switch (the only pages open without a session)."""

from __future__ import annotations

import asyncio
import logging
import secrets

from aiohttp import web

import i18n
from vkbot.dashboard.context import dashboard_of, session_of
from vkbot.dashboard.render import CSRF_FIELD, LANG_COOKIE, render
from vkbot.dashboard.security import LOGIN_COOKIE, SESSION_COOKIE, password_matches

log = logging.getLogger("vkbot.dashboard")

HOME = "/needs"  # desk: "Needs you" is the first page
# The login form's nonce only has to outlive the time it takes to type a password.
LOGIN_COOKIE_S = 1800
LANG_COOKIE_S = 365 * 24 * 3600


def _cookie_flags() -> dict[str, object]:
    # Not "secure": the dashboard listens on loopback over plain HTTP.
    return {"httponly": True, "samesite": "Strict", "path": "/"}


def _login_page(request: web.Request, *, error: str | None = None, status: int = 200) -> web.Response:
    dashboard = dashboard_of(request)
    # One nonce per browser while it signs in: a second tab (or the favicon request a browser makes
    # behind the page) must not invalidate the form already shown.
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not (16 <= len(nonce) <= 64 and nonce.replace("-", "").replace("_", "").isalnum()):
        nonce = secrets.token_urlsafe(16)
    response = render(
        request, "login.html", status=status, error=error, login_token=dashboard.signer.login_token(nonce)
    )
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_COOKIE_S, **_cookie_flags())  # type: ignore[arg-type]
    return response


async def login_form(request: web.Request) -> web.StreamResponse:
    if session_of(request) is not None:
        raise web.HTTPFound(HOME)
    return _login_page(request)


async def login(request: web.Request) -> web.StreamResponse:
    dashboard = dashboard_of(request)
    address = request.remote or "?"
    if dashboard.throttle.locked(address):
        log.warning("dashboard: sign-in refused, too many failures from %s", address)
        return _login_page(request, error="dashboard.login.locked", status=429)
    form = await request.post()
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not dashboard.signer.login_ok(nonce, str(form.get(CSRF_FIELD, ""))):
        return _login_page(request, error="dashboard.login.expired", status=403)
    expected = dashboard.settings.password.get_secret_value()
    if not expected or not password_matches(str(form.get("password", "")), expected):
        delay = dashboard.throttle.failed(address)
        log.warning("dashboard: failed sign-in from %s", address)
        await asyncio.sleep(delay)
        return _login_page(request, error="dashboard.login.wrong", status=401)
    dashboard.throttle.succeeded(address)
    log.info("dashboard: signed in from %s", address)
    response = web.HTTPFound(HOME)
    max_age = int(dashboard.settings.session_hours * 3600)
    response.set_cookie(SESSION_COOKIE, dashboard.signer.new_session(), max_age=max_age, **_cookie_flags())  # type: ignore[arg-type]
    response.del_cookie(LOGIN_COOKIE, path="/")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    session = session_of(request)
    if session is not None:
        dashboard_of(request).signer.end(session)
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative URL (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


async def switch_language(request: web.Request) -> web.StreamResponse:
    lang = request.match_info["lang"]
    if lang not in i18n.LANGUAGES:
        raise web.HTTPNotFound()
    response = web.HTTPFound(safe_next(request.query.get("next")))
    response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_S, **_cookie_flags())  # type: ignore[arg-type]
    raise response
