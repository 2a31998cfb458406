"""Fault rules injected through the control API and the decisions they make, with a seeded random source.

Rule kinds (``count`` = how many calls a rule faults; without it an error or delay rule lasts until cleared):

- ``{"method": "messages.send", "error_code": 10, "rate": 0.2, "count": 50}``: that error for a share of calls;
- ``{"longpoll_failed": 1 | 2 | 3, "count": 1}``: the next polls answer ``failed``;
- ``{"drop_connections": 3, "method": "longpoll"}``: close the next connections without an answer
  (``method`` optional: a method name or ``"longpoll"``; any request under /method/ or the poll otherwise);
- ``{"delay_ms": 3000, "method": "...", "count": 5}``: slow answers (``method`` optional, as above);
- ``{"accept_then_timeout": "messages.send", "count": 1}``: do the call, then never answer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

LONGPOLL = "longpoll"


@dataclass
class Rule:
    kind: str  # error | longpoll_failed | drop | delay | accept_then_timeout
    method: str | None
    remaining: float
    rate: float = 1.0
    value: int = 0  # error code, failed code or delay in ms

    def matches(self, target: str) -> bool:
        return self.remaining > 0 and (self.method is None or self.method == target)

    def as_dict(self) -> dict[str, Any]:
        remaining = None if math.isinf(self.remaining) else int(self.remaining)
        return {
            "kind": self.kind,
            "method": self.method,
            "remaining": remaining,
            "rate": self.rate,
            "value": self.value,
        }


def _count(raw: dict[str, Any], default: float) -> float:
    value = raw.get("count")
    if value is None:
        return default
    if not isinstance(value, int) or value < 1:
        raise ValueError("count must be a positive integer")
    return float(value)


def parse_rule(raw: Any) -> Rule:
    """One rule from its JSON form; ``ValueError`` names what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("a fault rule must be an object")
    method = raw.get("method")
    if method is not None and not isinstance(method, str):
        raise ValueError("method must be a string")
    if "error_code" in raw:
        if not method:
            raise ValueError("an error_code rule needs a method")
        rate = float(raw.get("rate", 1.0))
        if not 0 < rate <= 1:
            raise ValueError("rate must be in (0, 1]")
        return Rule("error", method, _count(raw, math.inf), rate, int(raw["error_code"]))
    if "longpoll_failed" in raw:
        failed = int(raw["longpoll_failed"])
        if failed not in (1, 2, 3):
            raise ValueError("longpoll_failed must be 1, 2 or 3")
        return Rule("longpoll_failed", LONGPOLL, _count(raw, 1), 1.0, failed)
    if "drop_connections" in raw:
        count = int(raw["drop_connections"])
        if count < 1:
            raise ValueError("drop_connections must be a positive integer")
        return Rule("drop", method, float(count))
    if "delay_ms" in raw:
        return Rule("delay", method, _count(raw, math.inf), 1.0, int(raw["delay_ms"]))
    if "accept_then_timeout" in raw:
        return Rule("accept_then_timeout", str(raw["accept_then_timeout"]), _count(raw, 1))
    raise ValueError(
        "unknown fault rule; expected error_code, longpoll_failed, drop_connections, delay_ms or "
        "accept_then_timeout"
    )


class FaultBook:
    """The active rules; each decision consumes the rule's count."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.random = random.Random(seed)
        self.rules: list[Rule] = []

    def add(self, raw_rules: list[Any]) -> list[Rule]:
        parsed = [parse_rule(raw) for raw in raw_rules]  # all or nothing
        self.rules.extend(parsed)
        return parsed

    def clear(self) -> None:
        self.rules.clear()
        self.random = random.Random(self.seed)

    def _take(self, kind: str, target: str) -> Rule | None:
        for rule in self.rules:
            if rule.kind == kind and rule.matches(target):
                if rule.rate < 1.0 and self.random.random() >= rule.rate:
                    return None
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.rules.remove(rule)
                return rule
        return None

    def error_for(self, method: str) -> int | None:
        rule = self._take("error", method)
        return rule.value if rule else None

    def longpoll_failed(self) -> int | None:
        rule = self._take("longpoll_failed", LONGPOLL)
        return rule.value if rule else None

    def should_drop(self, target: str) -> bool:
        return self._take("drop", target) is not None

    def delay_s(self, target: str) -> float:
        rule = self._take("delay", target)
        return rule.value / 1000 if rule else 0.0

    def accept_then_timeout(self, method: str) -> bool:
        return self._take("accept_then_timeout", method) is not None
