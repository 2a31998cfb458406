"""Threats and death wishes as evidence: exported exactly, with metadata, and never erased by "delete my data"."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import or_
from sqlmodel import Session, col, select

from moderation.models import ModItem, ModLabel
from moderation.policy import EVIDENCE_CATEGORIES

__all__ = [
    "EXPORT_FIELDS",
    "erase_texts",
    "evidence_count",
    "evidence_source_keys",
    "export_threats",
    "write_csv",
    "write_json",
]

EXPORT_FIELDS = (
    "item_id",
    "author_id",
    "author_url",
    "at_utc",
    "channel",
    "peer_id",
    "post_id",
    "comment_id",
    "conversation",
    "categories",
    "status",
    "text",
    "text_truncated",
)


def _categories_for(category: str) -> tuple[str, ...]:
    # "threat" is what the police asks for: death wishes are threats in that sense too.
    return EVIDENCE_CATEGORIES if category == "threat" else (category,)


def _conversation(item: ModItem, group_id: int | None) -> str:
    if item.channel == "comment" and item.post_id is not None and group_id:
        link = f"https://vk.com/wall-{abs(group_id)}_{item.post_id}"
        return f"{link}?reply={item.comment_id}" if item.comment_id is not None else link
    if item.channel == "comment":
        return f"wall post {item.post_id}, comment {item.comment_id}"
    return f"private messages, peer {item.peer_id}"


def export_threats(
    session: Session,
    category: str = "threat",
    since: datetime | None = None,
    *,
    group_id: int | None = None,
) -> list[dict[str, Any]]:
    """Items of the category (oldest first), the founder's restored ones left out, text exactly as stored."""
    wanted = set(_categories_for(category))
    stmt = select(ModItem).where(ModItem.status != "restored")
    if since is not None:
        stmt = stmt.where(ModItem.created_at >= since)
    rows: list[dict[str, Any]] = []
    for item in session.exec(stmt.order_by(col(ModItem.created_at), col(ModItem.id))):
        if not wanted.intersection(item.categories):
            continue
        rows.append(
            {
                "item_id": item.id,
                "author_id": item.author_id,
                "author_url": f"https://vk.com/id{item.author_id}" if item.author_id > 0 else "",
                "at_utc": item.created_at.astimezone(UTC).isoformat(),
                "channel": item.channel,
                "peer_id": item.peer_id,
                "post_id": item.post_id,
                "comment_id": item.comment_id,
                "conversation": _conversation(item, group_id),
                "categories": list(item.categories),
                "status": item.status,
                "text": item.text,
                "text_truncated": item.text_truncated,
            }
        )
    return rows


def write_json(rows: Sequence[dict[str, Any]], out: TextIO) -> None:
    json.dump(list(rows), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_csv(rows: Sequence[dict[str, Any]], out: TextIO) -> None:
    """CSV for a spreadsheet; categories joined by ";". Texts are quoted by the csv module, never altered."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "categories": ";".join(row.get("categories", []))})


def _of_peer(peer_id: int) -> Any:
    # A private message's author is its peer; "delete my data" covers both.
    return or_(col(ModItem.peer_id) == peer_id, col(ModItem.author_id) == peer_id)


def evidence_count(session: Session, peer_id: int) -> int:
    """How many items of this person are kept as evidence (and so survive "delete my data")."""
    stmt = select(ModItem.id).where(
        _of_peer(peer_id), col(ModItem.evidence).is_(True), ModItem.status != "restored"
    )
    return len(session.exec(stmt).all())


def evidence_source_keys(session: Session, peer_id: int) -> set[str]:
    """The events of this person kept as evidence: their texts survive "delete my data" elsewhere too."""
    stmt = select(ModItem.source_key).where(
        _of_peer(peer_id), col(ModItem.evidence).is_(True), ModItem.status != "restored"
    )
    return set(session.exec(stmt))


def erase_texts(session: Session, peer_id: int, at: datetime) -> int:
    """Blank the texts of this person's items and of labels made from them; evidence is kept.

    Returns the number of items blanked. Counts and categories stay, so the statistics still add up.
    """
    erased = 0
    for item in session.exec(select(ModItem).where(_of_peer(peer_id))):
        # Evidence the founder did not restore as harmless stays: the police may need the exact words.
        if item.text_erased_at is not None or (item.evidence and item.status != "restored"):
            continue
        item.text, item.text_erased_at = "", at
        session.add(item)
        for label in session.exec(select(ModLabel).where(ModLabel.item_id == item.id)):
            label.text = ""
            session.add(label)
        erased += 1
    return erased
