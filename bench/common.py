"""Shared parts of the benchmarks: the sandbox in its own process, a suite config pointing at it, the machine line."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run as a script from anywhere: `python bench/ingest.py`

GROUP_ID = 1001
TOKEN = "sandbox-community-token"


def machine() -> dict[str, str]:
    """When and where the figures were taken (quoted beside them in the README)."""
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_implementation()} "
        f"{platform.python_version()}",
    }


@contextlib.contextmanager
def sandbox_process(rate_per_s: int = 20, seed: int = 1) -> Iterator[str]:
    """`vkbot sandbox` in a child process (its own interpreter, so its CPU is not ours); yields its root URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "vkbot.cli", "sandbox", "--rate", str(rate_per_s), "--seed", str(seed)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("Sandbox: "):
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        yield line.removeprefix("Sandbox: ")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def suite_config(sandbox_url: str, db_url: str, files_dir: Path, **env: str) -> Any:
    """The suite's config against the sandbox; ``env`` adds ``VKBOT_SECTION__KEY`` overrides."""
    from vkbot.config import load_config

    base = {
        "VKBOT_VK__API_BASE_URL": f"{sandbox_url}/method/",
        "VKBOT_VK__GROUP_ID": str(GROUP_ID),
        "VKBOT_VK__TOKEN": TOKEN,
        "VKBOT_VK__LONGPOLL_WAIT": "1",
        "VKBOT_STORAGE__DATABASE_URL": db_url,
        "VKBOT_STORAGE__FILES_DIR": str(files_dir),
        "VKBOT_OUTBOX__IDLE_POLL_S": "0.05",
    }
    return load_config(None, environ={**base, **env})
