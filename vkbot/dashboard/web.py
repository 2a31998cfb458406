"""The aiohttp application: routes, the session check, CSRF on every POST, and the security headers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from vkbot.dashboard import inbox, interviews, login, orders, review, status
from vkbot.dashboard.context import DASHBOARD_KEY, SESSION_KEY, Dashboard, dashboard_of
from vkbot.dashboard.render import CSRF_FIELD, render
from vkbot.dashboard.security import SESSION_COOKIE

log = logging.getLogger("vkbot.dashboard")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STATIC = Path(__file__).resolve().parent / "static"
# Open without a session: signing in, the language switch, the style sheet; the interviews' calendar
# feed, which a phone fetches without a session (its address carries a secret token instead).
PUBLIC_PREFIXES = ("/login", "/lang/", "/static/", "/favicon.ico", interviews.FEED_PREFIX)
# No script at all: the pages are plain HTML forms, so nothing injected into them can run.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


@web.middleware
async def require_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every page but the public ones needs a valid session; every POST but the login needs its CSRF token."""
    dashboard = dashboard_of(request)
    session = dashboard.signer.session(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        request[SESSION_KEY] = session
    if _public(request.path):
        return await handler(request)
    if session is None:
        if request.method == "GET":
            raise web.HTTPFound("/login")
        raise web.HTTPForbidden()
    if request.method == "POST":
        form = await request.post()
        if not dashboard.signer.csrf_ok(session.sid, str(form.get(CSRF_FIELD, ""))):
            log.warning("dashboard: POST %s without a valid CSRF token refused", request.path)
            raise web.HTTPForbidden()
    return await handler(request)


# Errors shown as a page in her language; redirects and other answers pass through untouched.
ERROR_PAGES: dict[type[web.HTTPException], str] = {
    web.HTTPNotFound: "dashboard.error.not_found",
    web.HTTPBadRequest: "dashboard.error.bad_request",
    web.HTTPForbidden: "dashboard.error.forbidden",
    web.HTTPConflict: "dashboard.error.conflict",
}


@web.middleware
async def friendly_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except tuple(ERROR_PAGES) as exc:
        return render(request, "error.html", status=exc.status, message=ERROR_PAGES[type(exc)])


async def _security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)


async def _no_icon(_request: web.Request) -> web.StreamResponse:
    return web.Response(status=204)


async def _home(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(login.HOME)


def dashboard_app(dashboard: Dashboard) -> web.Application:
    app = web.Application(middlewares=[friendly_errors, require_session], client_max_size=64 * 1024)
    app[DASHBOARD_KEY] = dashboard
    app.on_response_prepare.append(_security_headers)
    app.router.add_get("/", _home)
    app.router.add_get("/favicon.ico", _no_icon)
    app.router.add_get("/login", login.login_form)
    app.router.add_post("/login", login.login)
    app.router.add_post("/logout", login.logout)
    app.router.add_get("/lang/{lang}", login.switch_language)
    app.router.add_get("/queue", orders.queue_page)
    app.router.add_get("/orders/{number}", orders.order_page)
    app.router.add_post("/orders/{number}/status", orders.change_status)
    app.router.add_get("/inbox", inbox.inbox_page)
    app.router.add_get("/review", review.review_page)
    app.router.add_get("/review/{item_id}", review.item_page)
    app.router.add_post("/review/{item_id}/restore", review.restore_item)
    app.router.add_post("/review/{item_id}/confirm", review.confirm_item)
    app.router.add_get("/status", status.status_page)
    # interviews: her day's calls and the phone's calendar feed
    app.router.add_get("/interviews", interviews.interviews_page)
    app.router.add_get(interviews.FEED_PREFIX + "{token}.ics", interviews.feed)
    app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
    return app
