"""Event keys: ``evt:<stored event id>``, the stable name of a stored event.

Every effect's idempotency key starts with it (``evt:12:reply:0``), and moderation records an event's
verdict under it (``ModItem.source_key``); the dashboard and the CLI accept it back. Only this module
writes or reads the format.
"""

from __future__ import annotations

PREFIX = "evt:"


def event_key(row_id: int | None) -> str:
    if row_id is None:
        raise ValueError("an event has a key only once it is stored")
    return f"{PREFIX}{row_id}"


def row_id_of(key: str) -> int | None:
    """The stored event's id in ``evt:<id>``, or None for any other string."""
    rest = key[len(PREFIX) :] if key.startswith(PREFIX) else ""
    return int(rest) if rest.isdigit() else None
