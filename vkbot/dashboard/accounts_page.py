"""The founder's accounts page: her helpers (add, new password, remove) and the audit trail.

Founder only: a helper asking for any of it is refused. Every change is a form, audited by the
middleware with the helper's name as detail; a change of password or a removal ends the helper's sessions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlmodel import Session

from vkbot.core.store.db import begin_write
from vkbot.dashboard import accounts, audit
from vkbot.dashboard.context import Dashboard, dashboard_of, require_founder
from vkbot.dashboard.render import render

NOTICES = ("added", "password", "removed")
AUDIT_ROWS = 100


def _read(dashboard: Dashboard) -> tuple[list[Any], list[Any]]:
    with Session(dashboard.engine) as session:
        return accounts.helpers(session), audit.recent(session, AUDIT_ROWS)


async def accounts_page(request: web.Request, *, error: str | None = None, status: int = 200) -> web.Response:
    require_founder(request)
    helpers, trail = await asyncio.to_thread(_read, dashboard_of(request))
    notice = request.query.get("done")
    return render(
        request,
        "accounts.html",
        status=status,
        helpers=helpers,
        trail=trail,
        error=error,
        notice=notice if notice in NOTICES else None,
    )


def _write(dashboard: Dashboard, change: Callable[[Session], object]) -> None:
    with Session(dashboard.engine) as session:
        begin_write(session)
        change(session)
        session.commit()


async def _change(
    request: web.Request, notice: str, change: Callable[[Session], object]
) -> web.StreamResponse:
    """Apply a change; a bad name or password shows the page again saying why (nothing is kept)."""
    try:
        await asyncio.to_thread(_write, dashboard_of(request), change)
    except accounts.AccountError as exc:
        return await accounts_page(request, error=exc.key, status=400)
    except LookupError as exc:
        raise web.HTTPNotFound() from exc
    raise web.HTTPFound(f"/accounts?done={notice}")


def _password(form: Any) -> str:
    password = str(form.get("password", ""))
    if password != str(form.get("repeat", "")):
        raise accounts.AccountError("dashboard.accounts.error.repeat")
    return password


async def add(request: web.Request) -> web.StreamResponse:
    require_founder(request)
    form = await request.post()
    name = str(form.get("name", ""))[:64]
    audit.note(request, f"add {name}")
    now = dashboard_of(request).clock.now()
    try:
        password = _password(form)
    except accounts.AccountError as exc:
        return await accounts_page(request, error=exc.key, status=400)
    return await _change(request, "added", lambda s: accounts.add_helper(s, name, password, now))


async def change_password(request: web.Request) -> web.StreamResponse:
    require_founder(request)
    name = request.match_info["name"]
    audit.note(request, f"password {name}")
    form = await request.post()
    now = dashboard_of(request).clock.now()
    try:
        password = _password(form)
    except accounts.AccountError as exc:
        return await accounts_page(request, error=exc.key, status=400)
    return await _change(request, "password", lambda s: accounts.set_password(s, name, password, now))


async def remove(request: web.Request) -> web.StreamResponse:
    require_founder(request)
    name = request.match_info["name"]
    audit.note(request, f"remove {name}")
    return await _change(request, "removed", lambda s: accounts.remove_helper(s, name))
