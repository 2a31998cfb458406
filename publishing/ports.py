"""What publishing needs from the outside, as protocols (vkbot implements them)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

__all__ = ["Clock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC now."""
        ...
