"""The aiohttp application: routes, the session check, CSRF on every POST, and the security headers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from sqlmodel import Session

from vkbot.dashboard import (
    accounts_page,
    bans,
    calendar,
    clip_upload,
    conversations,
    inbox,
    interviews,
    login,
    media,
    needs,
    orders,
    review,
    sessions,
    status,
)
from vkbot.dashboard.audit import ADDRESS_KEY, audit_actions
from vkbot.dashboard.context import DASHBOARD_KEY, SESSION_KEY, Account, Dashboard, SignedIn, dashboard_of
from vkbot.dashboard.network import client_address, host_name
from vkbot.dashboard.render import CSRF_FIELD, render
from vkbot.dashboard.security import SESSION_COOKIE, tokens_equal

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


# Routes whose handler reads the body itself and checks the CSRF token in it (see clip_upload).
SELF_CHECKED = frozenset({clip_upload.CLIP_ROUTE})


def _public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


@web.middleware
async def check_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a Host that is not ours (DNS rebinding) before anything else; note the client's address."""
    dashboard = dashboard_of(request)
    if host_name(request.headers.get("Host")) not in dashboard.hosts:
        log.warning("dashboard: request for host %r refused", request.headers.get("Host", "")[:80])
        raise web.HTTPBadRequest()
    request[ADDRESS_KEY] = client_address(request, dashboard.proxies)
    return await handler(request)


def _signed_in(dashboard: Dashboard, token: str | None) -> SignedIn | None:
    with Session(dashboard.engine) as session:
        found = sessions.lookup(session, token, dashboard.clock.now())
    if found is None:
        return None
    row, account = found
    return SignedIn(Account(account.name, account.role), row.token_hash, row.csrf)


@web.middleware
async def require_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every page but the public ones needs a live session; every POST but the login needs its CSRF token."""
    dashboard = dashboard_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    session = await asyncio.to_thread(_signed_in, dashboard, token) if token else None
    if session is not None:
        request[SESSION_KEY] = session
    if _public(request.path):
        return await handler(request)
    if session is None:
        if request.method == "GET":
            raise web.HTTPFound("/login")
        raise web.HTTPForbidden()
    # A streamed upload checks its own token: reading its body here would hit the 64 KB limit.
    if request.method == "POST" and request.match_info.route.name not in SELF_CHECKED:
        form = await request.post()
        if not tokens_equal(str(form.get(CSRF_FIELD, "")), session.csrf):
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
    raise web.HTTPFound(needs.HOME)


def dashboard_app(dashboard: Dashboard) -> web.Application:
    app = web.Application(
        middlewares=[friendly_errors, check_origin, audit_actions, require_session], client_max_size=64 * 1024
    )
    app[DASHBOARD_KEY] = dashboard
    app.on_response_prepare.append(_security_headers)
    app.router.add_get("/", _home)
    app.router.add_get("/favicon.ico", _no_icon)
    app.router.add_get("/login", login.login_form)
    app.router.add_post("/login", login.login)
    app.router.add_post("/logout", login.logout)
    app.router.add_get("/lang/{lang}", login.switch_language)
    # orders: the queue with search and filters, an order's page, its files, the clip upload, sign-ups
    app.router.add_get("/queue", orders.queue_page)
    app.router.add_get("/orders/{number}", orders.order_page)
    app.router.add_post("/orders/{number}/status", orders.change_status)
    app.router.add_post("/orders/{number}/move", orders.move)
    app.router.add_get("/orders/{number}/files/{file_id}", media.file_full)
    app.router.add_get("/orders/{number}/files/{file_id}/thumb", media.file_thumb)
    app.router.add_get("/orders/{number}/files.zip", media.download_all)
    app.router.add_post("/orders/{number}/clip", clip_upload.upload_clip, name=clip_upload.CLIP_ROUTE)
    app.router.add_get("/signups", orders.signups_page)
    app.router.add_post("/signups/{state:open|close}", orders.switch_signups)
    app.router.add_get("/inbox", inbox.inbox_page)
    app.router.add_get("/review", review.review_page)
    app.router.add_get("/review/{item_id}", review.item_page)
    app.router.add_post("/review/{item_id}/restore", review.restore_item)
    app.router.add_post("/review/{item_id}/confirm", review.confirm_item)
    app.router.add_get("/status", status.status_page)
    # auth: the founder's accounts page (helpers, their passwords, the audit trail)
    app.router.add_get("/accounts", accounts_page.accounts_page)
    app.router.add_post("/accounts/add", accounts_page.add)
    app.router.add_post("/accounts/{name}/password", accounts_page.change_password)
    app.router.add_post("/accounts/{name}/remove", accounts_page.remove)
    # desk: what needs her, conversations with the reply box, ban proposals
    app.router.add_get("/needs", needs.needs_page)
    app.router.add_post("/needs/{need_id}/done", needs.mark_done)
    app.router.add_get("/conversations", conversations.list_page)
    app.router.add_get("/conversations/{peer_id}", conversations.thread_page)
    app.router.add_post("/conversations/{peer_id}/reply", conversations.reply)
    app.router.add_post("/conversations/{peer_id}/bot", conversations.hand_back)
    app.router.add_get("/bans", bans.bans_page)
    app.router.add_post("/bans/{proposal_id}/accept", bans.accept_ban)
    app.router.add_post("/bans/{proposal_id}/dismiss", bans.dismiss_ban)
    # publish2: the publishing calendar and the founder's hand-off list.
    calendar.add_routes(app)
    # interviews: her day's calls and the phone's calendar feed
    app.router.add_get("/interviews", interviews.interviews_page)
    app.router.add_get(interviews.FEED_PREFIX + "{token}.ics", interviews.feed)
    app.router.add_post("/interviews/{interview_id}/written", interviews.written)
    app.router.add_get("/interviews/{interview_id:[0-9]+}", interviews.call_page)
    app.router.add_post("/interviews/{interview_id}/move", interviews.move)
    app.router.add_post("/interviews/{interview_id}/cancel", interviews.cancel)
    app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
    return app
