"""Conversations as threads: one per relative, newest activity first, with search and keyset paging.

Messages are read from the event store, as the inbox does: a relative's ``message_new`` and the
community's ``message_reply`` (the bot's answers, and the founder's own, from VK or from here). What
moderation keeps out of sight is absent (``hidden_source_keys``, the rule the rest of the suite uses);
what it marked for review is only flagged, so the page can blur it. Her replies from the dashboard
still on their way (outbox rows not yet echoed back by VK) are shown as pending.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from moderation.classifier import SELF_HARM
from moderation.models import ModItem
from moderation.records import hidden_source_keys, review_source_keys
from vkbot.adapters.inbound import storable
from vkbot.core.store.events_repo import load_event
from vkbot.core.store.keys import event_key
from vkbot.core.store.models import OutboxRow, StoredEvent, VkUserName
from vkbot.ingress.events import MessageNew, MessageReply, VkEvent, event_type_of
from waitlist.models import WlConversation, WlOrder

__all__ = [
    "DESK_KEY_PREFIX",
    "Identity",
    "Line",
    "ThreadPage",
    "ThreadRow",
    "blurred_keys",
    "identities",
    "thread_lines",
    "threads",
]

MESSAGE_TYPES = (event_type_of(MessageNew), event_type_of(MessageReply))
PAGE = 20
THREAD_LINES = 200  # the newest lines of one thread; older ones are in VK
SCAN_BATCH = 200
LAST_PEEK = 5  # messages read to find a thread's newest visible one before looking further back
# A text search reads at most this many of the newest messages (the store keeps years of them).
TEXT_SCAN_LIMIT = 5000
MAX_PRIVATE_PEER = 2_000_000_000  # above this a peer is a chat, never a relative
# Outbox keys of the founder's replies typed in the dashboard: they are hers, not the bot's.
DESK_KEY_PREFIX = "desk:reply:"


@dataclass(frozen=True)
class Identity:
    """Who a thread is with, as far as the suite knows: their order and language."""

    peer_id: int
    name: str | None = None  # as VK gives it (vkbot.ops.names), once fetched
    order_number: int | None = None
    subject_name: str | None = None
    relation: str | None = None
    contact: str | None = None
    lang: str | None = None
    stepped_back_until: datetime | None = None  # the bot is quiet here until then
    stepped_back_by: str | None = None  # relative (asked for a person) | founder (she wrote)


@dataclass(frozen=True)
class Line:
    """One message of a thread: ``who`` is relative, bot or founder; ``pending`` for a reply still on its way."""

    at: datetime
    who: str
    text: str
    attachments: int = 0
    review: bool = False
    pending: bool = False
    failed: str | None = None  # her reply VK did not take: "undeliverable" (messages closed) or "parked"
    event_id: int | None = None


@dataclass(frozen=True)
class ThreadRow:
    identity: Identity
    last_id: int  # the newest stored message's id: the list's order and its paging key
    last: Line | None


@dataclass(frozen=True)
class ThreadPage:
    rows: list[ThreadRow]
    older: int | None  # ``before`` for the next page; None on the last one


def _private(peer: object) -> bool:
    return isinstance(peer, int) and 0 < peer < MAX_PRIVATE_PEER


def identities(session: Session, peer_ids: Iterable[int]) -> dict[int, Identity]:
    """Each peer's conversation and newest order (one query each for the lot)."""
    peers = list(dict.fromkeys(peer_ids))
    if not peers:
        return {}
    convs = {
        c.peer_id: c
        for c in session.scalars(select(WlConversation).where(col(WlConversation.peer_id).in_(peers)))
    }
    names = {
        row.user_id: row.full_name
        for row in session.scalars(select(VkUserName).where(col(VkUserName.user_id).in_(peers)))
    }
    orders: dict[int, WlOrder] = {}
    query = select(WlOrder).where(col(WlOrder.peer_id).in_(peers), col(WlOrder.number).is_not(None))
    for newer in session.scalars(query.order_by(col(WlOrder.id))):
        orders[newer.peer_id or 0] = newer  # the newest wins
    found: dict[int, Identity] = {}
    for peer in peers:
        conv, order = convs.get(peer), orders.get(peer)
        found[peer] = Identity(
            peer_id=peer,
            name=names.get(peer) or None,
            order_number=order.number if order else None,
            subject_name=order.subject_name if order else None,
            relation=order.relation if order else None,
            contact=order.contact if order else None,
            lang=(conv.lang if conv else None) or (order.lang if order else None),
            stepped_back_until=conv.takeover_until if conv else None,
            stepped_back_by=conv.takeover_by if conv else None,
        )
    return found


def _line(stored: StoredEvent, desk_random_ids: set[int]) -> Line | None:
    """A stored message as a thread line; None for chats, broken rows and other events."""
    event = load_event(stored)
    if not isinstance(event, VkEvent) or event.message is None or not _private(event.message.peer_id):
        return None
    message = event.message
    if isinstance(event.obj, MessageNew):
        if not message.private:
            return None
        who = "relative"
    elif message.admin_author_id or (message.random_id and message.random_id in desk_random_ids):
        who = "founder"
    else:
        who = "bot"
    return Line(
        at=datetime.fromtimestamp(message.date, UTC),
        who=who,
        text=storable(message.text),
        attachments=len(message.attachments),
        event_id=stored.id,
    )


def _random_id(stored: StoredEvent) -> int | None:
    event = load_event(stored)
    return event.message.random_id if isinstance(event, VkEvent) and event.message is not None else None


def _desk_rows(session: Session, peer_id: int) -> list[OutboxRow]:
    query = select(OutboxRow).where(
        col(OutboxRow.peer_id) == peer_id, col(OutboxRow.key).startswith(DESK_KEY_PREFIX)
    )
    return list(session.scalars(query.order_by(col(OutboxRow.id))))


def blurred_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Which shown messages are flagged for more than despair: blurred until she opens them.

    A message flagged only because it speaks of self-harm is shown plainly: it is why she was alerted,
    and the VK alert quoted it already; anything abusive in it keeps the blur.
    """
    flagged = list(review_source_keys(session, keys))
    if not flagged:
        return set()
    query = select(col(ModItem.source_key), col(ModItem.categories)).where(
        col(ModItem.source_key).in_(flagged)
    )
    return {key for key, categories in session.execute(query) if set(categories or ()) - {SELF_HARM}}


def _visible(session: Session, batch: list[StoredEvent], desk: set[int]) -> list[Line]:
    """The batch's lines that moderation lets her see, flagged ones marked."""
    keys = [s.key for s in batch]
    hidden, review = hidden_source_keys(session, keys), blurred_keys(session, keys)
    lines = []
    for stored in batch:
        line = _line(stored, desk) if stored.key not in hidden else None
        if line is not None:
            lines.append(replace(line, review=stored.key in review))
    return lines


def thread_lines(session: Session, peer_id: int, limit: int = THREAD_LINES) -> list[Line]:
    """The newest ``limit`` messages with this relative, oldest first, and her replies still on their way."""
    desk = _desk_rows(session, peer_id)
    desk_ids = {r.random_id for r in desk if r.random_id is not None}
    query = (
        select(StoredEvent)
        .where(col(StoredEvent.peer_id) == peer_id, col(StoredEvent.type).in_(MESSAGE_TYPES))
        .order_by(col(StoredEvent.id).desc())
        .limit(limit)
    )
    batch = list(session.scalars(query))
    lines = _visible(session, batch, desk_ids)
    echoed = {_random_id(stored) for stored in batch}
    for row in desk:
        if row.random_id not in echoed:  # not back from VK yet, or never sent: she must see which
            text = str(row.params.get("message", ""))
            at = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)  # SQLite
            failed = row.status if row.status in ("undeliverable", "parked") else None
            lines.append(
                Line(at=at, who="founder", text=text, pending=row.status == "pending", failed=failed)
            )
    lines.sort(key=lambda line: line.at)
    return lines


def _activity(
    session: Session, peers: list[int] | None, before: int | None, limit: int, exclude: Collection[int] = ()
) -> list[tuple[int, int]]:
    """(peer, newest message id) newest first: all private peers but ``exclude``, or only ``peers``."""
    last = func.max(col(StoredEvent.id))
    query = (
        select(col(StoredEvent.peer_id), last)
        .where(col(StoredEvent.type).in_(MESSAGE_TYPES))
        .where(col(StoredEvent.peer_id) > 0, col(StoredEvent.peer_id) < MAX_PRIVATE_PEER)
        .group_by(col(StoredEvent.peer_id))
        .order_by(last.desc())
        .limit(limit)
    )
    if peers is not None:
        query = query.where(col(StoredEvent.peer_id).in_(peers))
    if exclude:
        query = query.where(col(StoredEvent.peer_id).not_in(list(exclude)))
    if before is not None:
        query = query.having(last < before)
    return [(int(peer), int(newest)) for peer, newest in session.execute(query)]


def _newest_lines(session: Session, batch: list[tuple[int, int]]) -> dict[int, Line]:
    """Each thread's newest message as a line, for a page's threads at once (a handful of queries, not
    a handful per thread); a thread whose newest message is hidden is absent."""
    peers = [peer for peer, _ in batch]
    events = list(session.scalars(select(StoredEvent).where(col(StoredEvent.id).in_([i for _, i in batch]))))
    desk_rows = select(col(OutboxRow.random_id)).where(
        col(OutboxRow.peer_id).in_(peers), col(OutboxRow.key).startswith(DESK_KEY_PREFIX)
    )
    desk = {r for r in session.scalars(desk_rows) if r is not None}
    peer_of = {stored.id: stored.peer_id or 0 for stored in events}
    return {
        peer_of[line.event_id]: line for line in _visible(session, events, desk) if line.event_id in peer_of
    }


def _last_visible(session: Session, peer_id: int) -> Line | None:
    """The thread's newest line she may see (a thread of hidden messages only has none).

    A few of the newest messages first (nearly always enough), further back only when all are hidden.
    """
    desk = {r.random_id for r in _desk_rows(session, peer_id) if r.random_id is not None}
    before: int | None = None
    for size in (LAST_PEEK, SCAN_BATCH):
        query = select(StoredEvent).where(
            col(StoredEvent.peer_id) == peer_id, col(StoredEvent.type).in_(MESSAGE_TYPES)
        )
        if before is not None:
            query = query.where(col(StoredEvent.id) < before)
        batch = list(session.scalars(query.order_by(col(StoredEvent.id).desc()).limit(size)))
        lines = _visible(session, batch, desk)
        if lines or len(batch) < size:
            return lines[0] if lines else None
        before = batch[-1].id
    return None


def matching_peers(session: Session, query: str) -> list[int]:
    """Peers whose order number, VK id, names or contact match, or whose visible messages contain it."""
    needle = query.strip()
    if not needle:
        return []
    found: list[int] = []
    if needle.lstrip("№#").strip().isdigit():
        number = int(needle.lstrip("№#").strip())
        found += [
            p for p in session.scalars(select(col(WlOrder.peer_id)).where(col(WlOrder.number) == number)) if p
        ]
        if _private(number):
            found.append(number)
    # Matched in Python: SQLite's LIKE folds only ASCII case, and names here are Cyrillic.
    folded = needle.casefold()
    named = select(
        col(WlOrder.peer_id), col(WlOrder.subject_name), col(WlOrder.relation), col(WlOrder.contact)
    ).where(col(WlOrder.peer_id).is_not(None), col(WlOrder.number).is_not(None))
    for peer, *names in session.execute(named):
        if any(folded in name.casefold() for name in names if name):
            found.append(peer)
    found += _peers_with_text(session, folded)
    return list(dict.fromkeys(found))


def _peers_with_text(session: Session, needle: str) -> list[int]:
    """Peers of the newest ``TEXT_SCAN_LIMIT`` visible messages whose text contains ``needle``.

    Only id, peer and raw JSON are read (no ORM rows) and the raw text is matched first: only the hits
    are parsed and checked against moderation.
    """
    found: list[int] = []
    before: int | None = None
    scanned = 0
    while scanned < TEXT_SCAN_LIMIT:
        query = select(col(StoredEvent.id), col(StoredEvent.peer_id), col(StoredEvent.raw)).where(
            col(StoredEvent.type).in_(MESSAGE_TYPES)
        )
        if before is not None:
            query = query.where(col(StoredEvent.id) < before)
        batch = session.execute(query.order_by(col(StoredEvent.id).desc()).limit(SCAN_BATCH)).all()
        if not batch:
            break
        scanned, before = scanned + len(batch), batch[-1][0]
        hits = {event_key(row_id): peer for row_id, peer, raw in batch if needle in _raw_text(raw).casefold()}
        hidden = hidden_source_keys(session, hits) if hits else set()
        found += [peer for key, peer in hits.items() if key not in hidden and _private(peer)]
    return found


def _raw_text(raw: object) -> str:
    """A stored message's text as received (message_new wraps the message; message_reply is one)."""
    obj = raw.get("object") if isinstance(raw, dict) else None
    message = obj.get("message", obj) if isinstance(obj, dict) else None
    text = message.get("text") if isinstance(message, dict) else None
    return text if isinstance(text, str) else ""


def threads(
    session: Session,
    *,
    query: str = "",
    before: int | None = None,
    page: int | None = None,
    exclude: Collection[int] = (),
) -> ThreadPage:
    """One page of threads, newest activity first; ``before`` is the previous page's ``older``.

    ``exclude``: peers that are not relatives (the founder, whom the bot sends her alerts).
    """
    page = page or PAGE
    peers = matching_peers(session, query) if query.strip() else None
    if peers == []:
        return ThreadPage([], None)
    rows: list[ThreadRow] = []
    cursor = before
    while len(rows) < page:
        batch = _activity(session, peers, cursor, page, exclude)
        if not batch:
            return ThreadPage(rows, None)
        known = identities(session, [peer for peer, _ in batch])
        shown = _newest_lines(session, batch)
        for peer, newest in batch:
            cursor = newest
            last = shown.get(peer) or _last_visible(session, peer)  # further back if the newest is hidden
            if last is not None:  # a thread of hidden messages only is not hers to see
                rows.append(ThreadRow(known[peer], newest, last))
            if len(rows) == page:
                break
    more = bool(_activity(session, peers, cursor, 1, exclude))
    return ThreadPage(rows, cursor if more else None)
