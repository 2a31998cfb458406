"""A small VKScript reader for ``execute``: ``return [API.a.b({...}), ...];`` or ``return API.a.b({...});``.

Object literals hold strings, numbers, booleans, null, arrays and nested objects, keys bare or quoted. Any
other code is a compile error (12), as VK answers for code it cannot compile; more than 25 calls is 13.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from vkbot.sandbox.errors import VkError

MAX_CALLS = 25
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


@dataclass
class Script:
    calls: list[tuple[str, dict[str, Any]]]
    as_list: bool


class _Reader:
    def __init__(self, code: str) -> None:
        self.code = code
        self.pos = 0

    def fail(self, why: str) -> VkError:
        return VkError(12, f"{why} at position {self.pos}")

    def skip(self) -> None:
        while self.pos < len(self.code) and self.code[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip()
        return self.code[self.pos] if self.pos < len(self.code) else ""

    def expect(self, text: str) -> None:
        self.skip()
        if not self.code.startswith(text, self.pos):
            raise self.fail(f"expected {text!r}")
        self.pos += len(text)

    def name(self) -> str:
        self.skip()
        match = _NAME.match(self.code, self.pos)
        if match is None:
            raise self.fail("expected a name")
        self.pos = match.end()
        return match.group()

    def string(self) -> str:
        quote = self.code[self.pos]
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.code):
            ch = self.code[self.pos]
            if ch == "\\":
                nxt = self.code[self.pos + 1 : self.pos + 2]
                if nxt == "u":
                    out.append(chr(int(self.code[self.pos + 2 : self.pos + 6], 16)))
                    self.pos += 6
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(nxt, nxt))
                self.pos += 2
                continue
            self.pos += 1
            if ch == quote:
                return "".join(out)
            out.append(ch)
        raise self.fail("unterminated string")

    def value(self) -> Any:
        ch = self.peek()
        if ch in "\"'":
            return self.string()
        if ch == "{":
            return self.obj()
        if ch == "[":
            self.pos += 1
            items: list[Any] = []
            while self.peek() != "]":
                items.append(self.value())
                if self.peek() == ",":
                    self.pos += 1
                elif self.peek() != "]":
                    raise self.fail("expected ',' or ']'")
            self.pos += 1
            return items
        match = _NUMBER.match(self.code, self.pos)
        if match:
            self.pos = match.end()
            return json.loads(match.group())
        word = self.name()
        if word in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[word]
        raise self.fail(f"unsupported expression {word!r}")

    def obj(self) -> dict[str, Any]:
        self.expect("{")
        result: dict[str, Any] = {}
        while self.peek() != "}":
            key = self.string() if self.peek() in "\"'" else self.name()
            self.expect(":")
            result[key] = self.value()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise self.fail("expected ',' or '}'")
        self.pos += 1
        return result

    def call(self) -> tuple[str, dict[str, Any]]:
        if self.name() != "API":
            raise self.fail("expected API")
        self.expect(".")
        section = self.name()
        self.expect(".")
        name = self.name()
        self.expect("(")
        params = self.obj() if self.peek() == "{" else {}
        self.expect(")")
        return f"{section}.{name}", params


def parse(code: str) -> Script:
    """The calls of a plain ``return`` script, in order."""
    reader = _Reader(code)
    if reader.name() != "return":
        raise reader.fail("only 'return ...;' scripts are supported")
    calls: list[tuple[str, dict[str, Any]]] = []
    as_list = reader.peek() == "["
    if as_list:
        reader.pos += 1
        while reader.peek() != "]":
            calls.append(reader.call())
            if reader.peek() == ",":
                reader.pos += 1
            elif reader.peek() != "]":
                raise reader.fail("expected ',' or ']'")
        reader.pos += 1
    else:
        calls.append(reader.call())
    if reader.peek() == ";":
        reader.pos += 1
    if reader.peek():
        raise reader.fail("unexpected text after return")
    if len(calls) > MAX_CALLS:
        raise VkError(13, f"too many API calls ({len(calls)} > {MAX_CALLS})")
    return Script(calls, as_list)
