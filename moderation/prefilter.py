"""Derive from a regex the word beginnings its matches can start with, for an exact prefilter.

Most rules open with ``\\b`` and a list of stems: a match can begin only where a word begins with
one of a few short strings. ``word_starts`` reads the parsed regex and returns those strings (at most
``limit`` letters each, shorter where the pattern turns open-ended), or None when it cannot promise
anything (no ``\\b`` in front, ``\\w*`` first, flags). Returned strings over-approximate: a word
that begins with none of them cannot start a match, so skipping such text never changes a result.
"""

from __future__ import annotations

import re

# The parser is private but stable within a Python minor version; only the compile step uses it.
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser as parser  # type: ignore[attr-defined]
from typing import Any

GATE_PREFIX = 4  # letters of a word looked at; longer gains little and multiplies the strings
_MAX_STRINGS = 4000  # give up on a pattern whose beginnings explode
_MAX_CLASS = 64  # a character class larger than this is treated as open-ended
_WORD_CHAR_RE = re.compile(r"\w")

# (string, complete): complete means the item matched exactly that string and may be followed.
Piece = tuple[str, bool]


class _Open(Exception):
    """The pattern's beginning cannot be bounded."""


def word_starts(pattern: str, limit: int = GATE_PREFIX) -> frozenset[str] | None:
    """Beginnings (word characters, 1..limit long) one of which every match starts a word with."""
    parsed = parser.parse(pattern)
    if parsed.state.flags & (c.SRE_FLAG_IGNORECASE | c.SRE_FLAG_VERBOSE):
        return None
    items = list(parsed.data)
    if not _anchored(items):
        return None
    try:
        pieces = _sequence(items, limit)
    except _Open:
        return None
    starts: set[str] = set()
    for text, _complete in pieces:
        # A non-word character ends the word: the beginning to look for is what precedes it.
        head = ""
        for char in text:
            if not _WORD_CHAR_RE.match(char):
                break
            head += char
        if not head:
            return None  # a match could begin with a non-word character or be empty
        starts.add(head)
    return frozenset(starts)


def _anchored(items: list[Any]) -> bool:
    """True when every way through the pattern passes a word boundary before consuming anything."""
    for op, av in items:
        if op is c.AT:
            if av is c.AT_BOUNDARY:
                return True
            continue
        if op in (c.ASSERT, c.ASSERT_NOT):
            continue
        if op is c.SUBPATTERN:
            return _anchored(list(av[3].data))
        if op is c.BRANCH:
            return all(_anchored(list(alt.data)) for alt in av[1])
        return False
    return False


def _sequence(items: list[Any], limit: int) -> set[Piece]:
    frontier: set[str] = {""}
    done: set[Piece] = set()
    for op, av in items:
        if not frontier:
            break
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: consumes nothing
        try:
            pieces = _item(op, av, limit)
        except _Open:
            # Open-ended from here ("\\s+", "\\w*"): what was read so far is the beginning.
            done |= {(head, False) for head in frontier}
            frontier = set()
            break
        grown: set[str] = set()
        for head in frontier:
            for text, complete in pieces:
                joined = (head + text)[:limit]
                if complete and len(head + text) < limit:
                    grown.add(joined)
                else:
                    done.add((joined, False))
        frontier = grown
        if len(frontier) + len(done) > _MAX_STRINGS:
            raise _Open
    return done | {(head, True) for head in frontier}


def _item(op: Any, av: Any, limit: int) -> set[Piece]:
    if op is c.LITERAL:
        return {(chr(av), True)}
    if op is c.IN:
        return {(char, True) for char in _class_chars(av)}
    if op is c.SUBPATTERN:
        if av[1] & c.SRE_FLAG_IGNORECASE:
            raise _Open
        return _sequence(list(av[3].data), limit)
    if op is c.BRANCH:
        return set().union(*(_sequence(list(alt.data), limit) for alt in av[1]))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, high, body = av
        once = _sequence(list(body.data), limit)
        if high != 1:  # a further iteration may follow: what comes next is open
            once = {(text, False) for text, _ in once}
        return once | {("", True)} if low == 0 else once
    if op is c.ATOMIC_GROUP:
        return {(text, False) for text, _ in _sequence(list(av.data), limit)}
    raise _Open  # \w, ., negated literals, back references: anything could come


def _class_chars(av: list[Any]) -> set[str]:
    chars: set[str] = set()
    for op, value in av:
        if op is c.LITERAL:
            chars.add(chr(value))
        elif op is c.RANGE and value[1] - value[0] < _MAX_CLASS:
            chars.update(chr(code) for code in range(value[0], value[1] + 1))
        else:
            raise _Open  # negation, categories, wide ranges
        if len(chars) > _MAX_CLASS:
            raise _Open
    return chars


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings (2+ characters) one of which every match contains, or None if none can be promised.

    For rules whose beginning is open ("\\w*fuck", "^(?=.*link)"): ``any(s in text ...)`` is then an
    exact precheck before the regex itself.
    """
    parsed = parser.parse(pattern)
    if parsed.state.flags & (c.SRE_FLAG_IGNORECASE | c.SRE_FLAG_VERBOSE):
        return None
    found = _required(list(parsed.data))
    if not found or min(map(len, found)) < 2:
        return None
    return frozenset(found)


def _score(strings: set[str] | None) -> int:
    return min(map(len, strings)) if strings else 0


def _required(items: list[Any]) -> set[str] | None:
    """The best set of strings one of which a match of this sequence must contain."""
    candidates: list[set[str]] = []
    run: set[str] = {""}  # what the current stretch of fixed items spells, in every way it can
    for op, av in items:
        fixed = _finite(op, av)
        if fixed is not None and len(run) * len(fixed) <= _MAX_STRINGS:
            run = {head + tail for head in run for tail in fixed}
            continue
        candidates.append(run)
        run = fixed if fixed is not None else {""}
        inner = _inner_required(op, av)
        if inner:
            candidates.append(inner)
    candidates.append(run)
    best = max(candidates, key=_score)
    return best if _score(best) else None


def _inner_required(op: Any, av: Any) -> set[str] | None:
    if op is c.SUBPATTERN:
        return _required(list(av[3].data))
    if op is c.BRANCH:
        parts = [_required(list(alt.data)) for alt in av[1]]
        return None if any(not part for part in parts) else set().union(*parts)  # type: ignore[arg-type]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _required(list(av[2].data))
    if op is c.ATOMIC_GROUP:
        return _required(list(av.data))
    if op is c.ASSERT:  # a lookahead or lookbehind that must hold: its text is in the message
        return _required(list(av[1].data))
    return None


def _finite(op: Any, av: Any) -> set[str] | None:
    """Every string this item can match, when they are few; None otherwise."""
    if op is c.LITERAL:
        return {chr(av)}
    if op is c.AT:
        return {""}
    if op is c.IN:
        try:
            return _class_chars(av)
        except _Open:
            return None
    if op is c.SUBPATTERN and not av[1] & c.SRE_FLAG_IGNORECASE:
        return _finite_sequence(list(av[3].data))
    if op is c.BRANCH:
        parts = [_finite_sequence(list(alt.data)) for alt in av[1]]
        return None if any(part is None for part in parts) else set().union(*parts)  # type: ignore[arg-type]
    return None


def _finite_sequence(items: list[Any]) -> set[str] | None:
    strings: set[str] = {""}
    for op, av in items:
        fixed = _finite(op, av)
        if fixed is None or len(strings) * len(fixed) > _MAX_STRINGS:
            return None
        strings = {head + tail for head in strings for tail in fixed}
    return strings
