"""Rewrite long pattern lines of the rule files as lists of alternatives and named fragments.

Usage: ``python -m moderation.tools.reflow moderation/data/threats.toml ...`` (rewrites in place).
A value longer than ``--width`` characters (``pattern``, ``unless``, a fragment, a context pattern) is
split at its top-level "|" into a list, one alternative a line; an alternative still too long has its
largest ``(?:a|b|c)`` group moved into a fragment of its own (a word list packed several to a line),
named after the rule and the group's first word. The loader joins both back into the same regex
string, so the compiled patterns stay byte for byte the same (``snapshot --patterns`` proves it).
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

WIDTH = 160  # an alternative longer than this gets its largest group named
PACK = 100  # word-list lines are packed up to this many characters
_KEY_RE = re.compile(r"^(?P<key>[A-Za-z_][\w]*)\s*=\s*(?P<value>.+)$")
SHORT = 40  # a list of alternatives no longer than this each is packed several to a line
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
        "a b v g d e e zh z i y k l m n o p r s t u f h ts ch sh sch _ y _ e yu ya i yi ye g".split(),
        strict=True,
    )
)


def split_top(pattern: str) -> list[str]:
    """The alternatives of ``pattern`` at depth 0 (escapes and character classes respected)."""
    return [pattern[a:b] for a, b in _top_spans(pattern)]


def _structure(pattern: str) -> Iterator[tuple[int, str]]:
    """The positions of ``(``, ``)`` and ``|`` that shape ``pattern`` (not escaped, not in a ``[...]`` class)."""
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += pattern[i + 1 : i + 2] == "^"  # a leading ^ or ] belongs to the class
            i += pattern[i + 1 : i + 2] == "]"
        elif c in "()|":
            yield i, c
        i += 1


def _top_spans(pattern: str) -> list[tuple[int, int]]:
    spans, depth, start = [], 0, 0
    for i, c in _structure(pattern):
        if c == "|" and depth == 0:
            spans.append((start, i))
            start = i + 1
        depth += {"(": 1, ")": -1}.get(c, 0)
    spans.append((start, len(pattern)))
    return spans


def _groups(pattern: str) -> list[tuple[int, int]]:
    """Spans of every ``(?:...)`` group, the parentheses included."""
    found, stack = [], []
    for i, c in _structure(pattern):
        if c == "(":
            stack.append(i)
        elif c == ")":
            start = stack.pop()
            if pattern.startswith("(?:", start):
                found.append((start, i + 1))
    return found


def _slug(text: str) -> str:
    word = re.sub(r"\\[a-zA-Z]|<\w+:\w+>|[^\w]+", " ", text).split()
    first = word[0] if word else "x"
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in first.lower())
    return re.sub(r"[^A-Za-z0-9]+", "_", latin).strip("_")[:16] or "x"


@dataclass
class Fragments:
    """Fragments made while splitting one file: name -> alternatives; equal contents share a name."""

    prefix: str
    known: dict[str, str]  # names already taken in the file
    made: dict[str, list[str]] = field(default_factory=dict)
    by_text: dict[str, str] = field(default_factory=dict)

    def name(self, inner: str) -> str:
        if inner in self.by_text:
            return self.by_text[inner]
        base = f"{self.prefix}_{_slug(inner)}".strip("_")
        name, n = base, 2
        while name in self.known or name in self.made:
            name, n = f"{base}{n}", n + 1
        self.made[name] = []
        self.by_text[inner] = name
        self.made[name] = reflow(inner, self)
        return name


def shorten(alternative: str, fragments: Fragments) -> str:
    """Name the largest plain-alternation groups of an over-long alternative until it fits."""
    while len(alternative) > WIDTH:
        candidates = [
            (b - a, a, b)
            for a, b in _groups(alternative)
            if len(split_top(alternative[a + 3 : b - 1])) > 1 and b - a > 30
        ]
        if not candidates:
            return alternative
        _, a, b = max(candidates)
        inner = alternative[a + 3 : b - 1]
        alternative = f"{alternative[:a]}<frag:{fragments.name(inner)}>{alternative[b:]}"
    return alternative


def reflow(pattern: str, fragments: Fragments) -> list[str]:
    return [shorten(alt, fragments) for alt in split_top(pattern)]


def toml_string(text: str) -> str:
    if "'" not in text and "\n" not in text:
        return f"'{text}'"
    if "'''" not in text and not text.endswith("'") and "\n" not in text:
        return f"'''{text}'''"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(key: str, items: list[str]) -> list[str]:
    if len(items) > 1 and all(len(w) <= SHORT for w in items):
        lines, line = [f"{key} = ["], "   "
        for item in items:
            piece = f" {toml_string(item)},"
            if len(line) + len(piece) > PACK and line.strip():
                lines.append(line)
                line = "   "
            line += piece
        lines.append(line)
        return [*lines, "]"]
    if len(items) == 1:
        return [f"{key} = {toml_string(items[0])}"]
    return [f"{key} = [", *(f"    {toml_string(item)}," for item in items), "]"]


def rewrite(path: Path, limit: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    data = tomllib.loads("\n".join(lines))
    taken = {**dict(data.get("fragments", {}))}
    for entry in data.get("rule", []):
        taken.update(entry.get("fragments", {}))
    out: list[str] = []
    rule_name = ""
    pending: Fragments | None = None
    file_fragments = Fragments(path.stem, taken)
    section = ""

    def flush() -> None:
        nonlocal pending
        if pending is not None and pending.made:
            # Comments and blank lines at the end introduce the next rule: keep them before it.
            trailing: list[str] = []
            while out and (not out[-1].strip() or out[-1].startswith("#")):
                trailing.insert(0, out.pop())
            out.extend(["", "[rule.fragments]"])
            for name, items in pending.made.items():
                out.extend(toml_list(name, items))
            out.extend(trailing or [""])
        pending = None

    for line in lines:
        if line.startswith("["):
            flush()
            section = line.strip()
            rule_name = ""
        key_match = _KEY_RE.match(line)
        if key_match and key_match["key"] == "name" and section == "[[rule]]":
            rule_name = tomllib.loads(line)["name"]
        if key_match is None or len(line) <= limit:
            out.append(line)
            continue
        key = key_match["key"]
        value = tomllib.loads(line)[key]
        if not isinstance(value, str):
            out.append(line)
            continue
        if section == "[[rule]]":
            if pending is None:
                pending = Fragments(rule_name.split(".")[-1], taken)
            fragments = pending
        else:
            fragments = file_fragments
            fragments.prefix = key
        out.extend(toml_list(key, reflow(value, fragments)))
        taken.update(dict.fromkeys(fragments.made, ""))
    flush()
    if file_fragments.made:
        header = "[fragments]"
        block = [line for name, items in file_fragments.made.items() for line in toml_list(name, items)]
        if header in out:
            at = out.index(header) + 1
            while at < len(out) and not out[at].startswith("["):
                at += 1
            while not out[at - 1].strip():
                at -= 1
            out[at:at] = block
        else:
            out.extend(["", "# Named parts of the long patterns above.", header, *block])
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--limit", type=int, default=250, help="rewrite lines longer than this")
    args = parser.parse_args(argv)
    for path in args.files:
        rewrite(path, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
