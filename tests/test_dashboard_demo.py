"""`vkbot demo` serves the founder's dashboard: it prints the URL and its password, and signing in works."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

import i18n


def test_the_demo_prints_the_dashboard_url_and_password_and_they_let_her_in(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vkbot.cli", "demo", "--dir", str(tmp_path / "demo"), "--no-traffic"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        found = None
        while found is None and time.monotonic() < deadline and proc.stdout is not None:
            line = proc.stdout.readline()
            if not line:
                break
            found = re.fullmatch(r"Dashboard: (http://127\.0\.0\.1:\d+) \(password: (\S+)\)\n", line)
        assert found, "the demo never printed the dashboard's address"
        url, password = found.groups()
        with requests.Session() as browser:
            login = browser.get(f"{url}/login", timeout=10)
            token = re.search(r'name="csrf" value="([^"]+)"', login.text)
            assert token is not None
            first = browser.post(
                f"{url}/login", data={"csrf": token.group(1), "password": password}, timeout=10
            )
            assert first.url == f"{url}/needs"
            assert i18n.text("dashboard.needs.title", "ru") in first.text
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err[-2000:]
    assert password not in err, "the password is printed for her, never logged"
