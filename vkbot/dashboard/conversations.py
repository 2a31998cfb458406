"""Conversations: the thread list with search and paging, one thread, her reply, and handing back to the bot.

Her reply is an outbox row like any other message (its key, hence VK's ``random_id``, comes from a
token in the form, so a double click or a resent form is one message), and the bot steps back in that
conversation exactly as when she writes in VK (``waitlist.record_founder_message``), in the same
transaction. What was waiting for her from that relative counts as answered. "Hand back" ends the
step-back (``waitlist.hand_back``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy import select
from sqlmodel import Session, col

import waitlist
from vkbot.core.store.db import begin_write
from vkbot.core.store.models import StoredEvent
from vkbot.dashboard.context import Dashboard, dashboard_of
from vkbot.dashboard.render import render
from vkbot.dashboard.threads import (
    DESK_KEY_PREFIX,
    MAX_PRIVATE_PEER,
    MESSAGE_TYPES,
    Identity,
    Line,
    ThreadPage,
    identities,
    thread_lines,
    threads,
)
from vkbot.effects.outbox import enqueue, message_request
from waitlist.founder import mark_handled

log = logging.getLogger("vkbot.dashboard")

MAX_REPLY_CHARS = 4096  # VK's limit for one message
MAX_QUERY_CHARS = 200
NOTICES = ("sent", "handed_back")
ERRORS = ("empty", "too_long")


def _peer(request: web.Request) -> int:
    raw = request.match_info["peer_id"]
    if not raw.isdigit() or len(raw) > 10 or not 0 < int(raw) < MAX_PRIVATE_PEER:
        raise web.HTTPNotFound()
    return int(raw)


def _known(session: Session, peer_id: int) -> bool:
    """A relative the community has exchanged messages with (no thread is opened with a typo)."""
    query = select(col(StoredEvent.id)).where(
        col(StoredEvent.peer_id) == peer_id, col(StoredEvent.type).in_(MESSAGE_TYPES)
    )
    return session.scalar(query.limit(1)) is not None


@dataclass(frozen=True)
class Thread:
    who: Identity
    lines: list[Line]


def _thread(dashboard: Dashboard, peer_id: int) -> Thread | None:
    with Session(dashboard.engine) as session:
        if not _known(session, peer_id):
            return None
        return Thread(identities(session, [peer_id])[peer_id], thread_lines(session, peer_id))


def _reply(dashboard: Dashboard, peer_id: int, text: str, token: str) -> bool | None:
    """Queue her reply and step the bot back; None for an unknown peer, False when it was queued already."""
    now = dashboard.clock.now()
    with Session(dashboard.engine) as session:
        begin_write(session)
        if not _known(session, peer_id):
            return None
        request = message_request(f"{DESK_KEY_PREFIX}{peer_id}:{token}", peer_id, text)
        added = enqueue(session, [request], now=now)
        if added:
            waitlist.record_founder_message(session, peer_id, now, settings=dashboard.waitlist)
            mark_handled(session, now, peer_id=peer_id)
        session.commit()
    return bool(added)


def _hand_back(dashboard: Dashboard, peer_id: int) -> None:
    with Session(dashboard.engine) as session:
        begin_write(session)
        waitlist.hand_back(session, peer_id, dashboard.clock.now())
        session.commit()


def _stepped_back(until: datetime | None, now: datetime) -> bool:
    return until is not None and until > now


async def list_page(request: web.Request) -> web.Response:
    dashboard = dashboard_of(request)
    query = request.query.get("q", "")[:MAX_QUERY_CHARS]
    raw_before = request.query.get("before", "")
    before = int(raw_before) if raw_before.isdigit() and len(raw_before) < 19 else None

    def read() -> ThreadPage:
        with Session(dashboard.engine) as session:
            founder = (dashboard.founder_user_id,) if dashboard.founder_user_id else ()
            return threads(session, query=query, before=before, exclude=founder)

    page = await asyncio.to_thread(read)
    return render(request, "conversations.html", page=page, q=query, now=dashboard.clock.now())


def thread_response(
    request: web.Request, thread: Thread, *, text: str = "", error: str | None = None
) -> web.Response:
    dashboard = dashboard_of(request)
    notice = request.query.get("done")
    return render(
        request,
        "conversation.html",
        status=400 if error else 200,
        who=thread.who,
        lines=thread.lines,
        stepped_back=_stepped_back(thread.who.stepped_back_until, dashboard.clock.now()),
        reply_token=secrets.token_urlsafe(12),
        reply_text=text,
        error=error,
        notice=notice if notice in NOTICES else None,
        max_reply=MAX_REPLY_CHARS,
    )


async def thread_page(request: web.Request) -> web.Response:
    thread = await asyncio.to_thread(_thread, dashboard_of(request), _peer(request))
    if thread is None:
        raise web.HTTPNotFound()
    return thread_response(request, thread)


async def reply(request: web.Request) -> web.StreamResponse:
    dashboard, peer_id = dashboard_of(request), _peer(request)
    form = await request.post()
    text = str(form.get("text", "")).strip()
    token = str(form.get("token", ""))
    if not (8 <= len(token) <= 32 and token.replace("-", "").replace("_", "").isalnum()):
        log.warning("dashboard: reply to peer %s refused, its form token is malformed", peer_id)
        raise web.HTTPBadRequest()
    error = "empty" if not text else "too_long" if len(text) > MAX_REPLY_CHARS else None
    if error:
        log.warning("dashboard: reply to peer %s refused (%s, %d characters)", peer_id, error, len(text))
        thread = await asyncio.to_thread(_thread, dashboard, peer_id)
        if thread is None:
            raise web.HTTPNotFound()
        return thread_response(request, thread, text=text, error=error)
    added = await asyncio.to_thread(_reply, dashboard, peer_id, text, token)
    if added is None:
        raise web.HTTPNotFound()
    if added:
        log.info("dashboard: her reply to peer %s queued; the bot steps back there", peer_id)
        dashboard.wake()
    raise web.HTTPFound(f"/conversations/{peer_id}?done=sent")


async def hand_back(request: web.Request) -> web.StreamResponse:
    peer_id = _peer(request)
    await asyncio.to_thread(_hand_back, dashboard_of(request), peer_id)
    raise web.HTTPFound(f"/conversations/{peer_id}?done=handed_back")
