"""Needs you: the dashboard's first page, what waits for the founder herself, each a click from its thread.

Words of despair, requests for a person and messages the bot could not answer (the relative was told
the author of the clips will read them) come from the waitlist's kept messages (``wl_inbox``) not yet
marked done; hand-offs from publishing are the posts handed to her to paste by hand. A text moderation
hides is never shown here either (only that there was one); a flagged one is blurred until she opens it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlmodel import Session, col, select

from moderation.bans import list_proposals
from moderation.records import hidden_source_keys
from publishing.outcomes import handed_to_founder
from vkbot.core.store.db import begin_write
from vkbot.dashboard.context import Dashboard, dashboard_of
from vkbot.dashboard.paths import path_id
from vkbot.dashboard.render import render
from vkbot.dashboard.threads import Identity, blurred_keys, identities
from waitlist.founder import mark_handled
from waitlist.interviews.booking import her_zone
from waitlist.interviews.views import day_interviews
from waitlist.models import WlInbox, WlOrder

HOME = "/needs"
# The hand-off list publishing's pages keep (copy the caption, download the clip, mark as posted).
HANDOFF_PAGE = "/calendar/handoffs"
# Kinds of kept messages, in the order the page shows them: the most urgent first.
SECTIONS: dict[str, tuple[str, ...]] = {
    "crisis": ("crisis",),
    "human": ("human",),
    "unanswered": ("off_script", "during_takeover"),
}
LIMIT = 100  # per section; more than this waiting is a different problem


@dataclass(frozen=True)
class Need:
    """One thing waiting for her: who, when, and the words (None when moderation hides them)."""

    id: int
    at: datetime
    who: Identity
    text: str | None
    review: bool = False
    kind: str = ""


@dataclass(frozen=True)
class Handoff:
    post_id: int
    at: datetime | None
    order_number: int | None
    who: Identity | None
    reason: str | None


@dataclass(frozen=True)
class Call:
    """One of today's interviews: when, and with whom (the page links to the thread)."""

    at: datetime
    who: Identity


@dataclass
class NeedsView:
    sections: dict[str, list[Need]] = field(default_factory=dict)
    interviews: list[Call] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)
    bans: int = 0  # open ban proposals, decided on their own page

    @property
    def empty(self) -> bool:
        return not (any(self.sections.values()) or self.interviews or self.handoffs or self.bans)


def todays_interviews(session: Session, now: datetime, tz: ZoneInfo) -> list[Call]:
    """Today's calls on her calendar (``tz``: her zone), earliest first, each with whom it is."""
    calls = day_interviews(session, now.astimezone(tz).date(), tz)
    who = identities(session, [c.peer_id for c in calls])
    return [Call(c.starts_at, who.get(c.peer_id, Identity(c.peer_id))) for c in calls if c.starts_at]


def _kept(session: Session, kinds: tuple[str, ...]) -> list[Need]:
    query = (
        select(WlInbox)
        .where(col(WlInbox.handled_at).is_(None), col(WlInbox.kind).in_(kinds))
        .order_by(col(WlInbox.id).desc())
        .limit(LIMIT)
    )
    rows = list(session.exec(query))
    keys = [r.event_key for r in rows]
    hidden, review = hidden_source_keys(session, keys), blurred_keys(session, keys)
    who = identities(session, [r.peer_id for r in rows if r.peer_id])
    return [
        Need(
            id=r.id or 0,
            at=r.created_at,
            who=who.get(r.peer_id or 0, Identity(r.peer_id or 0)),
            text=None if r.event_key in hidden else r.text,
            review=r.event_key in review,
            kind=r.kind,
        )
        for r in rows
    ]


def _handoffs(session: Session) -> list[Handoff]:
    """Publishing's hand-offs (``handed_to_founder``, by slot), each with its order and who it is for."""
    posts = handed_to_founder(session)
    ids = [post.order_id for post in posts]
    orders = {o.id: o for o in session.exec(select(WlOrder).where(col(WlOrder.id).in_(ids)))} if ids else {}
    who = identities(session, [o.peer_id for o in orders.values() if o.peer_id])
    return [
        Handoff(post.id or 0, post.handed_at, order.number, who.get(order.peer_id or 0), post.handoff_reason)
        for post in posts
        if (order := orders.get(post.order_id)) is not None
    ]


def read_needs(dashboard: Dashboard) -> NeedsView:
    with Session(dashboard.engine) as session:
        return NeedsView(
            sections={name: _kept(session, kinds) for name, kinds in SECTIONS.items()},
            interviews=todays_interviews(session, dashboard.clock.now(), her_zone(dashboard.waitlist)),
            handoffs=_handoffs(session),
            bans=len(list_proposals(session, "proposed")),
        )


def _done(dashboard: Dashboard, inbox_id: int) -> bool:
    with Session(dashboard.engine) as session:
        begin_write(session)
        found = mark_handled(session, dashboard.clock.now(), inbox_id=inbox_id)
        session.commit()
    return found > 0


async def needs_page(request: web.Request) -> web.Response:
    view = await asyncio.to_thread(read_needs, dashboard_of(request))
    done = request.query.get("done") == "1"
    return render(request, "needs.html", view=view, handoff_page=HANDOFF_PAGE, done=done)


async def mark_done(request: web.Request) -> web.StreamResponse:
    """She dealt with it (answered in VK, called): it leaves the page; the thread keeps the words."""
    need_id = path_id(request, "need_id")
    if not await asyncio.to_thread(_done, dashboard_of(request), need_id):
        raise web.HTTPNotFound()
    raise web.HTTPFound(f"{HOME}?done=1")
