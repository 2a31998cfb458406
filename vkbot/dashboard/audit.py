"""The audit trail: who did what in the dashboard, one row per form sent (and per hidden text revealed).

A middleware records every non-GET request with the signed-in actor and the answer's status, so a page
added by any area is audited without doing anything; a handler may add a short ``detail`` (which helper
was added) with ``note``. Sign-in attempts name the account tried, never the password. The daily sweep
forgets rows older than ``[dashboard] audit_keep_days`` (``trim``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlmodel import Session, col, delete, select

from vkbot.core.store.db import begin_write
from vkbot.dashboard.context import account_of, dashboard_of
from vkbot.dashboard.models import DashAudit

log = logging.getLogger("vkbot.dashboard")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
DETAIL_KEY = web.RequestKey("audit_detail", str)
# Before signing in there is no account: the login form says which one was tried.
TRIED_KEY = web.RequestKey("audit_tried", str)
ADDRESS_KEY = web.RequestKey("client_address", str)
NOBODY = "-"


def note(request: web.Request, detail: str) -> None:
    request[DETAIL_KEY] = detail


@dataclass(frozen=True)
class Entry:
    actor: str
    action: str
    detail: str
    status: int
    address: str


def entry(request: web.Request, action: str, status: int) -> Entry:
    account = account_of(request)
    actor = account.actor if account else (request.get(TRIED_KEY) or NOBODY)
    return Entry(
        actor, action, request.get(DETAIL_KEY, ""), status, request.get(ADDRESS_KEY, request.remote or "")
    )


def _write(request: web.Request, item: Entry) -> None:
    dashboard = dashboard_of(request)
    with Session(dashboard.engine) as session:
        begin_write(session)
        session.add(
            DashAudit(
                at=dashboard.clock.now(),
                actor=item.actor[:64],
                action=item.action[:120],
                detail=item.detail[:200],
                status=item.status,
                address=item.address[:64],
            )
        )
        session.commit()


async def record(request: web.Request, action: str, status: int = 200) -> None:
    item = entry(request, action, status)
    try:
        await asyncio.to_thread(_write, request, item)
    except Exception:  # the action itself happened: a lost audit row is logged, not a failed page
        log.exception("dashboard: audit row not written: %s", item)


@web.middleware
async def audit_actions(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return await handler(request)
    action = f"{request.method} {request.path}"
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        await record(request, action, exc.status)
        raise
    except Exception:
        await record(request, action, 500)
        raise
    await record(request, action, response.status)
    return response


def recent(session: Session, limit: int = 100) -> list[DashAudit]:
    return list(session.exec(select(DashAudit).order_by(col(DashAudit.id).desc()).limit(limit)))


def trim(session: Session, before: datetime) -> int:
    """Forget the rows older than ``before``; returns how many (the caller commits)."""
    result = session.exec(delete(DashAudit).where(col(DashAudit.at) < before))
    return int(result.rowcount or 0)
