"""Compile a regex with its alternations merged by first letter: the same matches, far fewer tries.

Python's regex engine tries the alternatives of ``(?:сука|сучка|сволочь|...)`` one by one at every
position; the rule files hold word lists of hundreds of forms, so most of the rules' time went there.
``compile_trie`` parses the pattern, and in every alternation merges the neighbouring alternatives that
begin with the same literal character into one (``су(?:ка|чка)|сволочь``), recursively: a trie.
Neighbours that open with the same assertion (``\\b``) share it first, which keeps their order.

Why it is exact: an alternative that begins with a literal character can match only where the text
has that character, so among alternatives with different first characters at most one group can
match at a given position; inside a group the original order is kept, and an alternative that does
not begin with a literal (a class, a group, an empty one) stays where it is and nothing is merged
across it. The engine's backtracking order over the alternatives that can match is therefore
unchanged, and with it every match, span and group. tests/test_moderation_trie.py compares each
pattern with its plain compile on the labelled sets.

The parser is private; a Python whose parser differs gets the plain ``re.compile``.
"""

from __future__ import annotations

import _sre
import re

# Private but stable within a Python minor version (moderation.prefilter reads the parser too).
from re import _compiler as compiler  # type: ignore[attr-defined]
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser as parser  # type: ignore[attr-defined]
from typing import Any

_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT)
_CASE_FLAGS = c.SRE_FLAG_IGNORECASE | c.SRE_FLAG_LOCALE
# How many parsed items opening a group may copy (see _open_groups): more code, no more matches.
_COPY_BUDGET = 400


def compile_trie(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)`` with merged alternations; the plain compile when not applicable."""
    try:
        parsed = parser.parse(pattern, flags)
        if (flags | parsed.state.flags) & _CASE_FLAGS:
            return re.compile(pattern, flags)  # "a" and "A" would be one letter: leave as it is
        _merge(parsed)
        code = compiler._code(parsed, flags)
        state = parsed.state
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in state.groupdict.items():
            indexgroup[index] = name
        return _sre.compile(  # type: ignore[no-any-return]
            pattern, flags | state.flags, code, state.groups - 1, state.groupdict, tuple(indexgroup)
        )
    except Exception:  # any surprise from the private parser: the plain compile decides
        return re.compile(pattern, flags)


def _merge(sub: Any) -> None:
    """Merge every alternation inside ``sub`` (a parsed subpattern), innermost first, in place."""
    for index, (op, av) in enumerate(sub.data):
        if op is c.BRANCH:
            for alternative in av[1]:
                _merge(alternative)
            sub.data[index] = (c.BRANCH, (None, _trie(sub.state, av[1])))
        elif op is c.SUBPATTERN:
            if not (av[1] or av[2]):  # a group with its own flags (?i:...) is left alone
                _merge(av[3])
        elif op in _REPEATS:
            _merge(av[2])
        elif op in (c.ASSERT, c.ASSERT_NOT):
            _merge(av[1])
        elif op is c.ATOMIC_GROUP:
            _merge(av)
        elif op is c.GROUPREF_EXISTS:
            _merge(av[1])
            if av[2] is not None:
                _merge(av[2])


def _factor_assertions(state: Any, alternatives: list[Any]) -> list[Any]:
    """Neighbouring alternatives that open with the same zero-width assertion (``\\bab|\\bac``) share
    it (``\\b(?:ab|ac)``): the order is untouched, the assertion is tested once, and what follows it
    can merge by first letter."""
    factored: list[Any] = []
    index = 0
    while index < len(alternatives):
        data = alternatives[index].data
        end = index + 1
        if data and data[0][0] is c.AT:
            while end < len(alternatives) and alternatives[end].data[:1] == data[:1]:
                end += 1
        if end - index < 2:
            factored.append(alternatives[index])
        else:
            tails = [parser.SubPattern(state, a.data[1:]) for a in alternatives[index:end]]
            inner = _trie(state, tails)
            rest = inner[0].data if len(inner) == 1 else [(c.BRANCH, (None, inner))]
            factored.append(parser.SubPattern(state, [data[0], *rest]))
        index = end
    return factored


def _size(items: Any) -> int:
    """Roughly how much code a parsed sequence compiles to: its items, nested ones included."""
    total = 0
    for op, av in items:
        total += 1
        if op is c.BRANCH:
            total += sum(_size(a.data) for a in av[1])
        elif op is c.SUBPATTERN:
            total += _size(av[3].data)
        elif op in _REPEATS:
            total += _size(av[2].data)
    return total


def _open_groups(state: Any, alternatives: list[Any]) -> list[Any]:
    """An alternative that opens with a plain group of alternatives, ``(?:ты|вы)\\s+X``, becomes one
    alternative per inner one, ``ты\\s+X|вы\\s+X``: the engine tries them in that same order, and they
    can then merge with their neighbours. Only while the copies of what follows stay small."""
    opened: list[Any] = []
    for alternative in alternatives:
        data = alternative.data
        if data and data[0][0] is c.SUBPATTERN:
            group, add_flags, del_flags, body = data[0][1]
            inner = body.data
            if group is None and not (add_flags or del_flags):
                if len(inner) == 1 and inner[0][0] is c.BRANCH:
                    choices = inner[0][1][1]
                    if len(choices) * _size(data[1:]) <= _COPY_BUDGET:
                        opened += [parser.SubPattern(state, [*choice.data, *data[1:]]) for choice in choices]
                        continue
                elif not any(op is c.BRANCH for op, _ in inner):
                    opened.append(parser.SubPattern(state, [*inner, *data[1:]]))
                    continue
        opened.append(alternative)
    return opened


def _trie(state: Any, alternatives: list[Any]) -> list[Any]:
    """The alternatives with neighbours that share a first literal merged, order otherwise kept."""
    alternatives = _factor_assertions(state, _open_groups(state, alternatives))
    merged: list[Any] = []
    run: dict[int, list[list[Any]]] = {}  # first character -> the tails, in order, since the last barrier

    def close_run() -> None:
        for char, tails in run.items():
            if len(tails) == 1:
                merged.append(parser.SubPattern(state, [(c.LITERAL, char), *tails[0]]))
                continue
            inner = _trie(state, [parser.SubPattern(state, list(tail)) for tail in tails])
            rest = inner[0].data if len(inner) == 1 else [(c.BRANCH, (None, inner))]
            merged.append(parser.SubPattern(state, [(c.LITERAL, char), *rest]))
        run.clear()

    for alternative in alternatives:
        data = alternative.data
        if data and data[0][0] is c.LITERAL:
            run.setdefault(data[0][1], []).append(data[1:])
        else:  # a barrier: it may match where any of the others could
            close_run()
            merged.append(alternative)
    close_run()
    return merged
