"""Rows a batch's preload found missing, so handlers in the same transaction need not ask the database again.

``service.preload`` fills it once per batch (a few queries instead of a few per message). Each set
only shrinks: whoever creates such a row in this transaction calls ``now_present``, so a set can be
too narrow (one more query), never wrong; a rolled-back savepoint only leaves it narrower. Without a
preload, or in another transaction, nothing is known and every lookup asks the database.

Several dispatchers at once (PostgreSQL): an absent set stays true because the caller holds the
writers of the batch for the whole transaction (vkbot takes a lock per conversation), and the rows
noted here are only ever created by the turn of their own writer: an event key by the one handling
that event, a conversation, order, sign-up or pending attachment by a message of that peer. So no
other transaction can create them meanwhile. Flags are the founder's, changed by a command: a batch may
see the value from its start, as with one dispatcher. Counts (places taken) are read fresh, not kept here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from sqlalchemy import inspect
from sqlmodel import Session

__all__ = ["Known", "created", "is_absent", "made", "now_present", "reading", "remember"]

# event: an unprocessed event key; conversation, order, signup: a peer without such rows; pending: a
# peer without pending attachments (references kept before consent); flag: a name.
What = Literal["event", "conversation", "order", "signup", "pending", "flag"]
_KEY = "waitlist.known"
_T = TypeVar("_T")


@dataclass
class Known:
    absent: dict[What, set[Any]]
    held: list[object] = field(default_factory=list)  # loaded rows stay in the identity map for session.get
    made: dict[tuple[type, Hashable], object] = field(default_factory=dict)  # rows created since


def remember(session: Session, known: Known) -> None:
    session.info[_KEY] = (session.get_transaction(), known)


def _known(session: Session) -> Known | None:
    entry = session.info.get(_KEY)
    if entry is None or entry[0] is not session.get_transaction():
        return None
    known: Known = entry[1]
    return known


def is_absent(session: Session, what: What, key: Hashable) -> bool:
    """True only when the preload of this transaction saw no such row and none was created since."""
    known = _known(session)
    return known is not None and key in known.absent.get(what, ())


def now_present(session: Session, what: What, key: Hashable) -> None:
    """A row of this kind was (or is about to be) created for ``key``: later lookups ask the database."""
    known = _known(session)
    if known is not None:
        known.absent.get(what, set()).discard(key)


def created(session: Session, row: object, key: Hashable) -> None:
    """``row`` (primary key ``key``) was created in this transaction: ``made`` finds it without a query."""
    known = _known(session)
    if known is not None:
        known.made[(type(row), key)] = row


def made(session: Session, model: type[_T], key: Hashable) -> _T | None:
    """The row ``created`` with this key, if it is still this session's and not deleted.

    ``session.get`` finds a new row only after a flush (asking would flush every pending row), and
    forgets it once nothing else holds it. A row taken back by a rolled-back savepoint, or deleted, is
    not returned: the caller asks the database.
    """
    known = _known(session)
    row = known.made.get((model, key)) if known is not None else None
    if not isinstance(row, model):
        return None
    state = inspect(row)
    return row if state.session is session and not state.was_deleted else None


@contextmanager
def reading(session: Session, *models: type) -> Iterator[None]:
    """For a query that reads only ``models``' tables: flush first only if rows of those are pending.

    Autoflush would write every pending row before each query; the rows of other tables (the replies
    kept, the conversation's updated_at) cannot change this query's answer, so they wait for the next
    flush and go out together with more rows.
    """
    if any(isinstance(obj, models) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.flush()
    with session.no_autoflush:
        yield
