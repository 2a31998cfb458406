"""Review of hidden items without being hurt by them.

The founder sees counts by reason and a list without texts; one item's text only when she clicks
"show" (and that reveal is audited). A helper, whose job is this review, sees the texts in the list.

Restore and confirm are ``moderation.review.restore`` / ``confirm``, as ``vkbot quarantine restore|confirm``;
what a restore owes VK (a comment put back on the wall) is queued as outbox rows in the same transaction.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlmodel import Session

from moderation.review import category_label, confirm, hidden_by_category, list_items, restore, reveal_one
from vkbot.adapters.moderation import effect_requests
from vkbot.core.store.db import begin_write
from vkbot.dashboard import audit
from vkbot.dashboard.context import Dashboard, account_of, actor_of, dashboard_of
from vkbot.dashboard.paths import path_id
from vkbot.dashboard.render import render, request_lang
from vkbot.effects.outbox import enqueue

LIST_LIMIT = 100
NOTICES = ("restored", "confirmed", "no_group")


def _items(
    dashboard: Dashboard, lang: str, show_text: bool
) -> tuple[list[dict[str, Any]], list[tuple[str, int]]]:
    """The newest hidden items (texts only for a helper) and how many are hidden per reason, most first."""
    with Session(dashboard.engine) as session:
        rows = list_items(session, show_text=show_text, limit=LIST_LIMIT)
        per_category = hidden_by_category(session)
    for row in rows:
        row["label"] = category_label(row["category"], lang)
        row["at"] = datetime.fromisoformat(row["at"])
    labelled: Counter[str] = Counter()
    for category, count in per_category.items():
        labelled[category_label(category, lang)] += count
    return rows, labelled.most_common()


def _reveal(dashboard: Dashboard, item_id: int, lang: str) -> Any:
    with Session(dashboard.engine) as session:
        return reveal_one(session, item_id, lang)


def _restore(dashboard: Dashboard, item_id: int, actor: str) -> int | None:
    """Rows queued for VK; None when the item needs a wall action and no community id is configured."""
    with Session(dashboard.engine) as session:
        begin_write(session)
        now = dashboard.clock.now()
        effects = restore(session, item_id, actor, now, group_id=dashboard.group_id)
        if effects and dashboard.group_id <= 0:
            session.rollback()  # VK would refuse owner_id 0 and park the row: say what is missing instead
            return None
        queued = enqueue(session, effect_requests(effects, dashboard.group_id), now=now)
        session.commit()
    return queued


def _confirm(dashboard: Dashboard, item_id: int, actor: str) -> None:
    with Session(dashboard.engine) as session:
        begin_write(session)
        confirm(session, item_id, actor, dashboard.clock.now())
        session.commit()


async def review_page(request: web.Request) -> web.Response:
    account = account_of(request)
    helper = account is not None and not account.founder
    rows, counts = await asyncio.to_thread(_items, dashboard_of(request), request_lang(request), helper)
    notice = request.query.get("done")
    return render(
        request,
        "review.html",
        items=rows,
        counts=counts,
        show_text=helper,
        notice=notice if notice in NOTICES else None,
    )


async def item_page(request: web.Request) -> web.Response:
    """The one place a hidden text is shown: she asked for this item by clicking "show"."""
    item_id = path_id(request, "item_id")
    try:
        revealed = await asyncio.to_thread(_reveal, dashboard_of(request), item_id, request_lang(request))
    except LookupError as exc:
        raise web.HTTPNotFound() from exc
    await audit.record(request, f"reveal {request.path}")
    return render(request, "review_item.html", item=revealed)


async def restore_item(request: web.Request) -> web.StreamResponse:
    dashboard = dashboard_of(request)
    try:
        queued = await asyncio.to_thread(_restore, dashboard, path_id(request, "item_id"), actor_of(request))
    except LookupError as exc:
        raise web.HTTPNotFound() from exc
    except ValueError as exc:  # not hidden any more (restored twice, from two tabs)
        raise web.HTTPConflict() from exc
    if queued is None:
        raise web.HTTPFound("/review?done=no_group")
    if queued:
        dashboard.wake()
    raise web.HTTPFound("/review?done=restored")


async def confirm_item(request: web.Request) -> web.StreamResponse:
    try:
        await asyncio.to_thread(
            _confirm, dashboard_of(request), path_id(request, "item_id"), actor_of(request)
        )
    except LookupError as exc:
        raise web.HTTPNotFound() from exc
    raise web.HTTPFound("/review?done=confirmed")
