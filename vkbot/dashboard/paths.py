"""Numbers taken from a page's address: ASCII digits only, bounded, else the page is not found."""

from __future__ import annotations

from aiohttp import web

MAX_ID = 10**12


def whole_number(raw: str, limit: int) -> int | None:
    """ASCII digits only ("²" is a digit to ``str.isdigit`` but not to ``int``), at most ``limit``."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12 or int(raw) > limit:
        return None
    return int(raw)


def path_id(request: web.Request, name: str, limit: int = MAX_ID) -> int:
    """The number in the route's ``{name}``; 404 for anything else."""
    number = whole_number(request.match_info[name], limit)
    if number is None:
        raise web.HTTPNotFound()
    return number
