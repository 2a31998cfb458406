"""`vkbot demo`, as the README runs it: prints the sandbox URL at once, fills the queue, stops cleanly."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import requests

VKBOT = [sys.executable, "-m", "vkbot.cli"]


def _free_ports(count: int) -> list[int]:
    """Ports free right now (held open together, so they differ)."""
    held = [socket.socket() for _ in range(count)]
    for sock in held:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in held]
    for sock in held:
        sock.close()
    return ports


def _events_and_replies(db: Path) -> tuple[int, int]:
    """Events stored and replies sent so far (read-only: the demo may be running)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        events = conn.execute("SELECT count(*) FROM vk_events").fetchone()[0]
        replies = conn.execute("SELECT count(*) FROM vk_outbox WHERE status = 'done'").fetchone()[0]
    return events, replies


def _start(folder: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*VKBOT, "demo", "--dir", str(folder), "--speed", "20", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_demo_prints_the_sandbox_url_serves_it_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    proc = _start(tmp_path / "demo")
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        match = re.fullmatch(r"Sandbox: (http://127\.0\.0\.1:\d+)\n", first)
        assert match, f"first line was {first!r}"
        url = match.group(1)
        deadline = time.monotonic() + 30  # the suite starts listening from VK's current ts: wait for it
        while (
            not requests.get(f"{url}/sandbox/calls", timeout=10)
            .json()["methods"]
            .get("groups.getLongPollServer")
        ):
            assert time.monotonic() < deadline, "the suite never started listening"
            time.sleep(0.2)
        # A person can write to the community through the control API while the demo runs.
        requests.post(f"{url}/sandbox/messages", json={"from_id": 424242, "text": "Здравствуйте"}, timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if requests.get(f"{url}/sandbox/sent", params={"peer_id": 424242}, timeout=10).json():
                break
            time.sleep(0.3)
        else:
            raise AssertionError("the suite did not answer a message written through the control API")
        # Simulated relatives get through a few steps (the suite's database is in WAL: reading holds up nobody).
        deadline = time.monotonic() + 60
        while min(_events_and_replies(tmp_path / "demo" / "vkbot.db")) <= 5:
            assert time.monotonic() < deadline, "the simulated relatives got no further"
            time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err[-2000:]
    assert "Traceback" not in err
    events, replies = _events_and_replies(tmp_path / "demo" / "vkbot.db")
    assert events > 5 and replies > 5
    db = sqlite3.connect(tmp_path / "demo" / "vkbot.db")
    # The demo signed the founder in through the sandbox's VK ID, so abusive comments leave the wall.
    parked = db.execute("SELECT count(*) FROM vk_outbox WHERE status = 'parked'").fetchone()[0]
    assert parked == 0


def test_demo_keeps_its_state_addresses_and_config_between_runs(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    ports = _free_ports(2)
    urls = []
    # The first run on the ports asked for; the second, without the flags, keeps the same addresses.
    for extra in (("--port", str(ports[0]), "--dashboard-port", str(ports[1])), ()):
        proc = _start(folder, "--duration", "3", *extra)  # long enough for events to be stored
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err[-2000:]
        urls.append(re.findall(r"^(?:Sandbox|Dashboard): (\S+)", out, re.MULTILINE))
        assert f"vkbot --config {folder / 'vkbot.toml'} orders list" in out
    assert [int(url.rstrip("/").rsplit(":", 1)[1].split("/")[0]) for url in urls[0]] == ports
    assert urls[0] == urls[1] and len(urls[0]) == 2  # the same sandbox and dashboard addresses again
    db = sqlite3.connect(folder / "vkbot.db")
    ids = [row[0] for row in db.execute("SELECT event_id FROM vk_events WHERE event_id IS NOT NULL")]
    assert len(ids) == len(set(ids)) > 0  # the second run did not replay the first run's events
    # The wall holds the approved clips the suite posted, and nothing the demo put there itself.
    sandbox = sqlite3.connect(folder / "sandbox" / "sandbox.db")
    posted = db.execute("SELECT count(*) FROM pub_post WHERE vk_post_id IS NOT NULL").fetchone()[0]
    assert sandbox.execute("SELECT count(*) FROM records WHERE kind = 'post'").fetchone()[0] == posted
    # The printed line works after the demo stopped: the founder's commands find the same install.
    listed = subprocess.run(
        [*VKBOT, "--config", str(folder / "vkbot.toml"), "orders", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("VKBOT_")},
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert isinstance(json.loads(listed.stdout), list)
    assert stat.S_IMODE((folder / "secrets.toml").stat().st_mode) == 0o600
