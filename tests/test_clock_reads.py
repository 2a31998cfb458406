"""vkbot reads the wall-clock time only through the injected ``vkbot.clock.Clock``.

``SystemClock`` (vkbot/clock.py) is the one place that asks the system; the sandbox emulates VK's own
clock and may too. Monotonic timers (``time.monotonic``, ``perf_counter``) measure durations and are fine.
"""

from __future__ import annotations

import ast
from pathlib import Path

VKBOT = Path(__file__).resolve().parent.parent / "vkbot"
ALLOWED = (VKBOT / "clock.py", VKBOT / "sandbox")

# (module, attribute): calls that read the wall clock.
WALL_CLOCK = {
    ("datetime.datetime", "now"),
    ("datetime.datetime", "utcnow"),
    ("datetime.datetime", "today"),
    ("datetime.date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, call) of each wall-clock read in ``source``, following import aliases."""
    tree = ast.parse(source)
    names: dict[str, str] = {}  # local name -> what it stands for ("time", "datetime.datetime", ...)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module in ("datetime", "time"):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and names.get(func.id) in ("time.time", "time.time_ns"):
            found.append((node.lineno, func.id))
        elif isinstance(func, ast.Attribute):
            owner = _dotted(func.value, names)
            if owner is not None and (owner, func.attr) in WALL_CLOCK:
                found.append((node.lineno, f"{ast.unparse(func.value)}.{func.attr}"))
    return sorted(found)


def _dotted(node: ast.expr, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value, names)
        return f"{owner}.{node.attr}" if owner is not None else None
    return None


def test_the_check_finds_each_way_of_reading_the_wall_clock() -> None:
    source = """
import time
import datetime as dt
from datetime import UTC, date, datetime
from time import time as now_s

a = datetime.now(UTC)
b = dt.datetime.now()
c = time.time()
d = now_s()
e = date.today()
f = time.monotonic()
g = datetime.fromtimestamp(0, UTC)
"""
    assert [line for line, _ in wall_clock_reads(source)] == [7, 8, 9, 10, 11]


def test_vkbot_reads_the_time_only_through_its_clock() -> None:
    offenders = [
        f"{path.relative_to(VKBOT.parent)}:{line}: {call}()"
        for path in sorted(VKBOT.rglob("*.py"))
        if not any(path == allowed or allowed in path.parents for allowed in ALLOWED)
        for line, call in wall_clock_reads(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "read the time from the injected vkbot.clock.Clock:\n" + "\n".join(offenders)


def test_the_system_clock_is_the_one_reader() -> None:
    reads = wall_clock_reads((VKBOT / "clock.py").read_text(encoding="utf-8"))
    assert [call for _, call in reads] == ["datetime.now"]
