"""The suite's state, the same report as ``GET /health`` and ``vkbot status``, in her words.

The admin user token (what publishing and comment removal run on) is told as one sentence
("Публикация работает, ключ обновлён сегодня в 9:12"), never as the report's English keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

import i18n
from vkbot.dashboard.context import dashboard_of
from vkbot.dashboard.render import render, request_lang
from vkbot.dashboard.words import parse_moment, when_in_words
from vkbot.ops.health import collect_health


def token_sentence(token: Mapping[str, Any] | None, when: Any, lang: str) -> str:
    """The admin token's state as a sentence; ``when(moment)`` words a moment for inside a sentence."""
    if not token:
        return i18n.text("dashboard.tokens.unknown", lang)
    if token.get("needs_reconnect"):
        return i18n.text("dashboard.tokens.reconnect", lang)
    if not token.get("connected"):
        key = (
            "dashboard.tokens.link_pending" if token.get("link_pending") else "dashboard.tokens.not_connected"
        )
        return i18n.text(key, lang)
    refreshed = parse_moment(token.get("last_refresh_at")) or parse_moment(token.get("connected_at"))
    sentence = i18n.text("dashboard.tokens.works", lang)
    if refreshed is not None:
        sentence = i18n.text("dashboard.tokens.works_refreshed", lang, when=when(refreshed))
    if token.get("last_error"):
        sentence += " " + i18n.text("dashboard.tokens.last_failed", lang)
    return sentence


def named(prefix: str, value: object, lang: str) -> str:
    """A report's value (a listener state, an outbox status) in her words; unknown ones as they are."""
    key = f"{prefix}.{value}"
    return i18n.text(key, lang) if i18n.has(key) else str(value)


async def status_page(request: web.Request) -> web.Response:
    dashboard = dashboard_of(request)
    report = await collect_health(dashboard.health, dashboard.stall_after_s)
    lang = request_lang(request)
    now = dashboard.clock.now()

    def when(moment: Any) -> str:
        return when_in_words(parse_moment(moment), now, dashboard.timezone, lang, sentence=True)

    token = report.get("tokens", {}).get("admin_user")
    return render(
        request,
        "status.html",
        report=report,
        token_sentence=token_sentence(token, when, lang),
        token_error=(token or {}).get("last_error"),
        named=lambda prefix, value: named(prefix, value, lang),
    )
