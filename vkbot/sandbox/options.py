"""Settings of one sandbox instance (what `vkbot sandbox` flags map to)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_COMMUNITY_TOKEN = "sandbox-community-token"


@dataclass(frozen=True)
class SandboxOptions:
    """How to start a sandbox; ``port=0`` picks a free port."""

    host: str = "127.0.0.1"
    port: int = 0
    group_id: int = 1001
    community_token: str = DEFAULT_COMMUNITY_TOKEN
    data_dir: Path | None = None
    rate_per_s: int = 20
    seed: int = 1
    user_token_ttl_s: int = 3600
    admin_user_id: int = 1
    user_rate_per_s: int = 3
    # Long poll answers carry at most this many updates (VK returns all pending; we cap for memory).
    longpoll_max_updates: int = 1000
    # Events kept for replay by ts; older ones answer failed 1.
    event_window: int = 200_000
