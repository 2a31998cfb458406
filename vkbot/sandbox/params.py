"""Method parameters as VK reads them: strings from query and form, tolerant flags, helpful error 100."""

from __future__ import annotations

import builtins
import json
from typing import Any

from vkbot.sandbox.errors import VkError, invalid, missing

TRUE = {"1", "true", "True", "TRUE", "yes", "on"}


class Params:
    """Read-only view of a call's parameters (all strings, as on the wire)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def has(self, name: str) -> bool:
        return self.values.get(name, "") != ""

    def str(self, name: str, default: str | None = None) -> str:
        value = self.values.get(name)
        if value is None or value == "":
            if default is None:
                raise missing(name)
            return default
        return value

    def int(self, name: builtins.str, default: builtins.int | None = None) -> builtins.int:
        value = self.values.get(name)
        if value is None or value == "":
            if default is None:
                raise missing(name)
            return default
        try:
            return int(value)
        except ValueError:
            raise invalid(name, "not integer") from None

    def flag(self, name: builtins.str) -> bool:
        return self.values.get(name, "") in TRUE

    def ints(self, name: builtins.str, required: bool = True) -> list[builtins.int]:
        raw = self.values.get(name, "")
        if not raw:
            if required:
                raise missing(name)
            return []
        try:
            return [int(part) for part in raw.replace("[", "").replace("]", "").split(",") if part.strip()]
        except ValueError:
            raise invalid(name, "must be a list of integers") from None

    def json(self, name: builtins.str, code: builtins.int = 100) -> Any:
        raw = self.values.get(name)
        if raw is None or raw == "":
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise VkError(code, f"{name} is not valid JSON") from None


def to_wire(value: Any) -> str:
    """A value from an ``execute`` object literal, encoded as clients encode it on the wire."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(to_wire(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    return str(value)
