"""Ban proposals: repeat offenders moderation proposes to ban, with accept / dismiss (as ``vkbot bans``).

Accepting queues the ban (``groups.ban``) as an outbox row in the same transaction; the list shows
counts and dates, never the hidden texts (those are one click away under "Hidden").
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlmodel import Session

from moderation.bans import accept, dismiss, list_proposals
from moderation.models import ModBanProposal
from vkbot.adapters.moderation import effect_requests
from vkbot.core.store.db import begin_write
from vkbot.dashboard.context import Dashboard, actor_of, dashboard_of
from vkbot.dashboard.paths import path_id
from vkbot.dashboard.render import render
from vkbot.effects.outbox import enqueue

NOTICES = ("accepted", "dismissed", "no_group")


def _list(dashboard: Dashboard) -> list[ModBanProposal]:
    with Session(dashboard.engine) as session:
        return list_proposals(session, "proposed")


def _accept(dashboard: Dashboard, proposal_id: int, by: str) -> bool:
    """Queue the ban; False when no community id is configured (VK would refuse group_id 0)."""
    if dashboard.group_id <= 0:
        return False
    with Session(dashboard.engine) as session:
        begin_write(session)
        now = dashboard.clock.now()
        ban = accept(session, proposal_id, now, by)
        enqueue(session, effect_requests([ban], dashboard.group_id), now=now)
        session.commit()
    return True


def _dismiss(dashboard: Dashboard, proposal_id: int, by: str) -> None:
    with Session(dashboard.engine) as session:
        begin_write(session)
        dismiss(session, proposal_id, dashboard.clock.now(), by)
        session.commit()


async def bans_page(request: web.Request) -> web.Response:
    proposals = await asyncio.to_thread(_list, dashboard_of(request))
    notice = request.query.get("done")
    return render(request, "bans.html", proposals=proposals, notice=notice if notice in NOTICES else None)


async def accept_ban(request: web.Request) -> web.StreamResponse:
    dashboard = dashboard_of(request)
    try:
        queued = await asyncio.to_thread(
            _accept, dashboard, path_id(request, "proposal_id"), actor_of(request)
        )
    except LookupError as exc:
        raise web.HTTPNotFound() from exc
    except ValueError as exc:  # decided already (from another tab, or by auto-ban)
        raise web.HTTPConflict() from exc
    if not queued:
        raise web.HTTPFound("/bans?done=no_group")
    dashboard.wake()
    raise web.HTTPFound("/bans?done=accepted")


async def dismiss_ban(request: web.Request) -> web.StreamResponse:
    try:
        await asyncio.to_thread(
            _dismiss, dashboard_of(request), path_id(request, "proposal_id"), actor_of(request)
        )
    except LookupError as exc:
        raise web.HTTPNotFound() from exc
    except ValueError as exc:
        raise web.HTTPConflict() from exc
    raise web.HTTPFound("/bans?done=dismissed")
