"""The method registry: name -> handler, which token kinds may call it, required parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vkbot.sandbox.params import Params
from vkbot.sandbox.tokens import Caller

if TYPE_CHECKING:
    from vkbot.sandbox.core import Sandbox

USER = frozenset({"user"})
COMMUNITY = frozenset({"community"})
ANY = frozenset({"user", "community"})


@dataclass
class Ctx:
    """One call: the sandbox, who calls, and the parameters."""

    sb: Sandbox
    caller: Caller
    params: Params

    @property
    def state(self):
        return self.sb.state

    @property
    def acting_id(self) -> int:
        """The sender as VK sees it: the community, or the user (unless acting for the community)."""
        if self.caller.kind == "community" or self.params.has("group_id"):
            return -self.sb.state.group_id
        return self.caller.user_id


Handler = Callable[[Ctx], Any]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    handler: Handler
    tokens: frozenset[str]
    required: tuple[str, ...]


REGISTRY: dict[str, MethodSpec] = {}


def method(
    name: str, *, tokens: frozenset[str] = ANY, required: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    """Register a handler under VK's method name."""

    def decorate(handler: Handler) -> Handler:
        REGISTRY[name] = MethodSpec(name, handler, tokens, required)
        return handler

    return decorate


def page(items: list[Any], params: Params, default: int, maximum: int) -> list[Any]:
    offset = max(0, params.int("offset", 0))
    count = min(max(0, params.int("count", default)), maximum)
    return items[offset : offset + count]
