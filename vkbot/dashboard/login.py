"""Signing in and out, and the language switch (the only pages open without a session)."""

from __future__ import annotations

import asyncio
import logging
import secrets
import weakref
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from sqlmodel import Session

import i18n
from vkbot.core.store.db import begin_write
from vkbot.dashboard import accounts, lockout, sessions
from vkbot.dashboard.audit import ADDRESS_KEY, TRIED_KEY
from vkbot.dashboard.context import Dashboard, dashboard_of, session_of
from vkbot.dashboard.network import is_https, safe_next
from vkbot.dashboard.render import CSRF_FIELD, LANG_COOKIE, render
from vkbot.dashboard.security import LOGIN_COOKIE, SESSION_COOKIE, cookie_flags

log = logging.getLogger("vkbot.dashboard")

HOME = "/needs"  # desk: "Needs you" is the first page
# The login form's nonce only has to outlive the time it takes to type a password.
LOGIN_COOKIE_S = 1800
LANG_COOKIE_S = 365 * 24 * 3600
# One sign-in at a time per account name: otherwise guesses sent at once all pass the lockout check
# before any of them is counted. Other names are not held up (a guesser spraying names cannot queue hers).
_attempts: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def secure_cookies(request: web.Request) -> bool:
    dashboard = dashboard_of(request)
    return dashboard.settings.secure_cookies or is_https(request, dashboard.proxies)


def set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int
) -> None:
    response.set_cookie(name, value, max_age=max_age, **cookie_flags(secure_cookies(request)))  # type: ignore[arg-type]


def del_cookie(request: web.Request, response: web.StreamResponse, name: str) -> None:
    response.del_cookie(name, **cookie_flags(secure_cookies(request)))  # type: ignore[arg-type]


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
    set_cookie(request, response, LOGIN_COOKIE, nonce, LOGIN_COOKIE_S)
    return response


async def login_form(request: web.Request) -> web.StreamResponse:
    if session_of(request) is not None:
        raise web.HTTPFound(HOME)
    return _login_page(request)


@dataclass(frozen=True)
class Outcome:
    status: str  # "locked" | "wrong" | "ok"
    delay_s: float = 0.0
    session_token: str = ""
    device_token: str | None = None


def _sign_in(
    dashboard: Dashboard, name: str, password: str, address: str, device_cookie: str | None
) -> Outcome:
    now = dashboard.clock.now()
    # Reads and the (deliberately slow) hash check outside a write transaction: a guesser must not
    # hold the database's write lock.
    with Session(dashboard.engine) as session:
        device = lockout.trusted_device(session, device_cookie, name, now)
        attempt = lockout.Attempt(name, address, device)
        if lockout.locked(session, attempt, now, dashboard.lockout):
            return Outcome("locked")
        account = accounts.verify(session, name, password)
    with Session(dashboard.engine) as session:
        begin_write(session)
        if account is None:
            delay = lockout.failed(session, attempt, now, dashboard.lockout)
            session.commit()
            return Outcome("wrong", delay_s=delay)
        device_token = lockout.succeeded(session, attempt, now)
        lifetime = timedelta(hours=dashboard.settings.session_hours)
        token = sessions.start(session, account.name, now, lifetime)
        session.commit()
    return Outcome("ok", session_token=token, device_token=device_token)


async def login(request: web.Request) -> web.StreamResponse:
    dashboard = dashboard_of(request)
    address = request.get(ADDRESS_KEY, request.remote or "?")
    form = await request.post()
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not dashboard.signer.login_ok(nonce, str(form.get(CSRF_FIELD, ""))):
        return _login_page(request, error="dashboard.login.expired", status=403)
    name = str(form.get("name", "")).strip().lower()[:32] or accounts.FOUNDER
    request[TRIED_KEY] = name
    async with _attempts.setdefault(name, asyncio.Lock()):
        outcome = await asyncio.to_thread(
            _sign_in,
            dashboard,
            name,
            str(form.get("password", "")),
            address,
            request.cookies.get(lockout.DEVICE_COOKIE),
        )
    if outcome.status == "locked":
        log.warning("dashboard: sign-in as %r refused, too many failures (from %s)", name, address)
        return _login_page(request, error="dashboard.login.locked", status=429)
    if outcome.status == "wrong":
        log.warning("dashboard: failed sign-in as %r from %s", name, address)
        await asyncio.sleep(outcome.delay_s)
        return _login_page(request, error="dashboard.login.wrong", status=401)
    log.info("dashboard: %s signed in from %s", name, address)
    response = web.HTTPFound(HOME)
    set_cookie(
        request, response, SESSION_COOKIE, outcome.session_token, int(dashboard.settings.session_hours * 3600)
    )
    if outcome.device_token is not None:
        set_cookie(
            request, response, lockout.DEVICE_COOKIE, outcome.device_token, lockout.DEVICE_DAYS * 86400
        )
    del_cookie(request, response, LOGIN_COOKIE)
    raise response


def _end(dashboard: Dashboard, sid: str) -> None:
    with Session(dashboard.engine) as session:
        begin_write(session)
        sessions.end(session, sid)
        session.commit()


async def logout(request: web.Request) -> web.StreamResponse:
    session = session_of(request)
    if session is not None:
        await asyncio.to_thread(_end, dashboard_of(request), session.sid)
    response = web.HTTPFound("/login")
    del_cookie(request, response, SESSION_COOKIE)
    raise response


async def switch_language(request: web.Request) -> web.StreamResponse:
    lang = request.match_info["lang"]
    if lang not in i18n.LANGUAGES:
        raise web.HTTPNotFound()
    response = web.HTTPFound(safe_next(request.query.get("next"), HOME))
    set_cookie(request, response, LANG_COOKIE, lang, LANG_COOKIE_S)
    raise response
