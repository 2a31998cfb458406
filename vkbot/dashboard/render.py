"""HTML rendering: Jinja2 with autoescape, the language of the request, and bounded stranger text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from aiohttp import web

import i18n
from vkbot.dashboard.context import dashboard_of, session_of
from vkbot.dashboard.words import parse_moment, when_in_words

LANG_COOKIE = "vkbot_lang"
CSRF_FIELD = "csrf"


def make_templates() -> jinja2.Environment:
    """Autoescape everything: every stranger's text is shown as text, never as markup."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("vkbot.dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clip"] = clip
    return env


def clip(value: object, limit: int = 500) -> str:
    """At most ``limit`` characters of a text (stories may be 20,000; a row shows a line or two)."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request_lang(request: web.Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, i18n.DEFAULT_LANGUAGE)
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def translator(lang: str) -> Callable[..., str]:
    def t(key: str, **params: Any) -> str:
        return i18n.text(key, lang, **params)

    return t


def render(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    dashboard = dashboard_of(request)
    lang = request_lang(request)
    session = session_of(request)
    html = dashboard.templates.get_template(template).render(
        t=translator(lang),
        lang=lang,
        languages=i18n.LANGUAGES,
        path=request.path_qs,
        csrf=session.csrf if session else "",
        csrf_field=CSRF_FIELD,
        logged_in=session is not None,
        account=session.account if session else None,
        when=lambda moment, sentence=False: when_in_words(
            parse_moment(moment), dashboard.clock.now(), dashboard.timezone, lang, sentence=sentence
        ),
        **context,
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
