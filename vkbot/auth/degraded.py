"""Which user-token features work right now (wall posting, comment removal, bans, video upload), and why not.

Degraded mode is a normal way to run: without the admin user token the rest of the suite works, and
each feature here says in plain words what is missing and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from vkbot.auth.store import TokenStatus

# feature -> (what it is, in words; the VK access right it needs). vk-api.md sections 3 and 8.
FEATURES: dict[str, tuple[str, str]] = {
    "wall_post": ("posting clips to the wall", "wall"),
    "comment_removal": ("removing and restoring comments", "wall"),
    "bans": ("banning and unbanning people", "groups"),
    "video_upload": ("uploading videos", "video"),
}


@dataclass(frozen=True)
class Capability:
    """One feature: ``ok``, or a plain ``reason`` it does not work and what to do."""

    ok: bool
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "reason": self.reason}


def _rights(scope: str | None) -> set[str]:
    # VK ID separates scope names with spaces; older tokens and the sandbox use commas.
    return {part for part in re.split(r"[\s,]+", scope or "") if part}


def capabilities(status: TokenStatus | None, refused_rights: Iterable[str] = ()) -> dict[str, Capability]:
    """For each feature, whether it works with this credential; ``refused_rights`` are rights VK denied
    at call time (error 15), for example ``wall`` when VK never granted it to the app."""
    refused = set(refused_rights)
    granted = _rights(status.scope if status else None)
    result: dict[str, Capability] = {}
    for feature, (words, right) in FEATURES.items():
        result[feature] = (
            Capability(True)
            if _works(status, granted, refused, right)
            else Capability(False, _reason(status, granted, refused, right, words))
        )
    return result


def _works(status: TokenStatus | None, granted: set[str], refused: set[str], right: str) -> bool:
    return bool(status and status.connected and right in granted and right not in refused)


def _reason(status: TokenStatus | None, granted: set[str], refused: set[str], right: str, words: str) -> str:
    if status is None or (not status.connected and not status.needs_reconnect):
        return f"{words} needs the admin user token: run `vkbot connect`"
    if status.needs_reconnect:
        return f"{words} stopped: VK no longer accepts the admin user token; run `vkbot connect` again"
    if right in refused:
        return f"{words} is refused by VK: the app lacks the '{right}' right (VK grants it on request)"
    return f"{words} needs the '{right}' right, which the admin did not grant: run `vkbot connect` again"
