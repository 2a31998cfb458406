"""Which stored events a dispatcher takes next: in order, and on PostgreSQL shared by conversation.

SQLite: one dispatcher; ``begin_write`` already holds the database's write lock, so the next events
in storage order are simply this transaction's.

PostgreSQL: several dispatcher processes share the events. A conversation (peer) must be handled in
order by one of them at a time, so each transaction takes a transaction-scoped advisory lock per
peer (``pg_try_advisory_xact_lock``) and then handles every unprocessed event of the peers it holds,
oldest first. A peer another dispatcher holds is skipped: its events wait for that transaction to end
(commit or rollback; a killed process's connection closes and PostgreSQL drops its locks). Because a
holder's commit is visible before its locks are released, the next holder always reads what the
previous one did. Events without a peer are locked one by one on their id. Locks are keyed by a
hash: a collision only makes two peers wait for each other, never breaks the order.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import bindparam, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from vkbot.core.store.models import StoredEvent

# Advisory lock keys: 16 bits of namespace above 48 bits of peer or event id (and below the sign bit).
_PEER_SPACE = 0x3B6B << 48
_EVENT_SPACE = 0x3B6C << 48
_LOW = (1 << 48) - 1
# Events looked at per batch to find peers nobody holds: with several dispatchers, the first ones
# are usually taken by another.
_SCAN_FACTOR = 4

_TRY_LOCKS = text("SELECT k FROM unnest(:keys) AS k WHERE pg_try_advisory_xact_lock(k)").bindparams(
    bindparam("keys", type_=ARRAY(BIGINT))
)


def _unprocessed(max_attempts: int, skip_peers: Collection[int] = ()) -> list[ColumnElement[bool]]:
    where = [
        StoredEvent.processed_at.is_(None),  # type: ignore[union-attr]
        col(StoredEvent.attempts) < max_attempts,
    ]
    if skip_peers:
        where.append(
            or_(col(StoredEvent.peer_id).is_(None), col(StoredEvent.peer_id).not_in(list(skip_peers)))
        )
    return where


def claim(
    session: Session, limit: int, max_attempts: int, skip_peers: Collection[int] = ()
) -> list[StoredEvent]:
    """Up to ``limit`` unprocessed events this transaction may handle, in storage order.

    ``skip_peers``: conversations whose every pending event must wait (behind a photo being fetched):
    left out whole, so that their events do not fill the batch's places.
    """
    if session.get_bind().dialect.name != "postgresql":
        return upcoming(session, limit, max_attempts, skip_peers)
    return _claim_by_peer(session, limit, max_attempts, skip_peers)


def upcoming(
    session: Session, limit: int, max_attempts: int, skip_peers: Collection[int] = ()
) -> list[StoredEvent]:
    """The next unprocessed events in storage order, claiming nothing (on PostgreSQL: a look ahead)."""
    query = (
        select(StoredEvent)
        .where(*_unprocessed(max_attempts, skip_peers))
        .order_by(StoredEvent.id)  # type: ignore[arg-type]
        .limit(limit)
    )
    return list(session.scalars(query))


def lock_key(peer_id: int | None, event_id: int) -> int:
    """The advisory lock that makes one dispatcher the only one handling this event's conversation."""
    if peer_id is None:
        return _EVENT_SPACE + (event_id & _LOW)
    return _PEER_SPACE + (peer_id & _LOW)


def _claim_by_peer(
    session: Session, limit: int, max_attempts: int, skip_peers: Collection[int]
) -> list[StoredEvent]:
    scan = (
        select(col(StoredEvent.id), col(StoredEvent.peer_id))
        .where(*_unprocessed(max_attempts, skip_peers))
        .order_by(StoredEvent.id)  # type: ignore[arg-type]
        .limit(limit * _SCAN_FACTOR)
    )
    pending: list[tuple[int, int | None]] = [(row[0], row[1]) for row in session.execute(scan)]
    if not pending:
        return []
    events_of: dict[int, int] = {}  # lock key -> pending events it covers, in order of first event
    for event_id, peer_id in pending:
        key = lock_key(peer_id, event_id)
        events_of[key] = events_of.get(key, 0) + 1
    held = _lock_enough(session, list(events_of), events_of, limit)
    peers = [p for p in {peer for _, peer in pending if peer is not None} if lock_key(p, 0) in held]
    lone = [event_id for event_id, peer in pending if peer is None and lock_key(None, event_id) in held]
    if not peers and not lone:
        return []
    # Every unprocessed event of the peers held, not only those scanned: the peer is ours until commit.
    mine = or_(
        StoredEvent.peer_id.in_(peers),  # type: ignore[union-attr]
        StoredEvent.id.in_(lone),  # type: ignore[union-attr]
    )
    query = (
        select(StoredEvent)
        .where(*_unprocessed(max_attempts), mine)
        .order_by(StoredEvent.id)  # type: ignore[arg-type]
        .limit(limit)
    )
    return list(session.scalars(query))


def _lock_enough(session: Session, keys: list[int], events_of: dict[int, int], limit: int) -> set[int]:
    """Try the keys in order, a chunk at a time, until the locks held cover ``limit`` events.

    Locking every key scanned would leave the other dispatchers nothing to take.
    """
    held: set[int] = set()
    covered = 0
    start = 0
    while start < len(keys) and covered < limit:
        chunk = _chunk_covering(keys, start, events_of, limit - covered)
        got = set(session.scalars(_TRY_LOCKS, {"keys": chunk}))
        held |= got
        covered += sum(events_of[key] for key in got)
        start += len(chunk)
    return held


def _chunk_covering(keys: list[int], start: int, events_of: dict[int, int], wanted: int) -> list[int]:
    chunk: list[int] = []
    total = 0
    for key in keys[start:]:
        chunk.append(key)
        total += events_of[key]
        if total >= wanted:
            break
    return chunk
