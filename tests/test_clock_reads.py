"""vkbot reads the wall-clock time only through the injected ``vkbot.clock.Clock``; the domain packages not at all.

``SystemClock`` (vkbot/clock.py) is the one place that asks the system; the sandbox emulates VK's own
clock and may too. Monotonic timers (``time.monotonic``, ``perf_counter``) measure durations and are fine.
The process makes one ``SystemClock`` (``open_app``, ``vkbot.cli.main``) and passes it down: nothing else
in vkbot names ``SystemClock`` (no ``clock or SystemClock()`` fallback, no default that builds one), and a
``Clock`` parameter or dataclass field has no default, so a part built without the clock fails at once.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

VKBOT = Path(__file__).resolve().parent.parent / "vkbot"
ALLOWED = (VKBOT / "clock.py", VKBOT / "sandbox")
# Where the process's one clock is made: (module, function) -> both may build a SystemClock and take an
# optional clock (a test's ManualClock).
CLOCK_MAKERS = {("vkbot/app.py", "open_app"), ("vkbot/cli.py", "main")}

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


def test_the_domain_packages_take_the_time_from_their_caller() -> None:
    """waitlist, moderation and publishing get ``now`` or a clock passed in; they never ask the system."""
    root = VKBOT.parent
    offenders = [
        f"{path.relative_to(root)}:{line}: {call}()"
        for package in ("waitlist", "moderation", "publishing")
        for path in sorted((root / package).rglob("*.py"))
        for line, call in wall_clock_reads(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "take now (or a Clock) from the caller:\n" + "\n".join(offenders)


def test_the_system_clock_is_the_one_reader() -> None:
    reads = wall_clock_reads((VKBOT / "clock.py").read_text(encoding="utf-8"))
    assert [call for _, call in reads] == ["datetime.now"]


class _ClockUses(ast.NodeVisitor):
    """Names of ``SystemClock`` and defaults of ``Clock`` parameters and fields, with their enclosing function."""

    def __init__(self) -> None:
        self.system_clock: set[str] = {"SystemClock"}  # local names that stand for it (import aliases)
        self.scope: list[str] = []
        self.found: list[tuple[int, str, str]] = []  # (line, enclosing qualname, what)

    def _note(self, node: ast.AST, what: str) -> None:
        self.found.append((getattr(node, "lineno", 0), ".".join(self.scope), what))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "SystemClock":
                self.system_clock.add(alias.asname or alias.name)
        # the import itself is no use of the clock

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in self.system_clock:
            self._note(node, "SystemClock")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "SystemClock":
            self._note(node, "SystemClock")
        self.generic_visit(node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaulted = positional[len(positional) - len(args.defaults) :]  # the last ones have the defaults
        defaulted += [a for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
        self.scope.append(node.name)
        for arg in defaulted:
            if _is_clock(arg.annotation):
                self._note(arg, f"default for {arg.arg}")
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        for item in node.body:  # dataclass fields: ``clock: Clock = ...`` with a default
            if (
                isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and _is_clock(item.annotation)
            ):
                if item.value is not None and _gives_a_default(item.value):
                    self._note(item, f"default for {item.target.id}")
        self.generic_visit(node)
        self.scope.pop()


def _is_clock(annotation: ast.expr | None) -> bool:
    """``Clock``, ``Clock | None``, ``Optional[Clock]``, ``"Clock"``, ``clock.Clock`` ..."""
    if annotation is None:
        return False
    text = annotation.value if isinstance(annotation, ast.Constant) else ast.unparse(annotation)
    return isinstance(text, str) and re.search(r"(?<![\w])(\w+\.)*Clock\b", text) is not None


def _gives_a_default(value: ast.expr) -> bool:
    """``= x`` is a default; ``= field(...)`` only with ``default``/``default_factory``."""
    if isinstance(value, ast.Call) and ast.unparse(value.func).split(".")[-1] == "field":
        return any(k.arg in ("default", "default_factory") for k in value.keywords)
    return True


def clock_fallbacks(source: str) -> list[tuple[int, str, str]]:
    """(line, enclosing function, what) for each use of ``SystemClock`` and each default of a ``Clock``."""
    uses = _ClockUses()
    uses.visit(ast.parse(source))
    return sorted(uses.found)


def test_the_check_finds_each_way_of_falling_back_to_the_system_clock() -> None:
    source = """
from dataclasses import dataclass, field
from vkbot import clock as clocks
from vkbot.clock import Clock, SystemClock
from vkbot.clock import SystemClock as Wall

def a(clock: Clock | None = None):
    clock = clock or SystemClock()

def b(*, clock: Clock = Wall()):
    pass

@dataclass
class C:
    clock: Clock = field(default_factory=SystemClock)
    other: Clock = field(kw_only=True)
    fine: int = 0

class D:
    def __init__(self, clock: "Clock", *, late: "Clock | None" = None):
        self.clock = clock or clocks.SystemClock()

def e(clock: Clock, now: int | None = None) -> None:
    pass
"""
    assert clock_fallbacks(source) == [
        (7, "a", "default for clock"),
        (8, "a", "SystemClock"),
        (10, "b", "SystemClock"),
        (10, "b", "default for clock"),
        (15, "C", "SystemClock"),
        (15, "C", "default for clock"),
        (20, "D.__init__", "default for late"),
        (21, "D.__init__", "SystemClock"),
    ]


def test_vkbot_makes_its_one_clock_where_the_process_starts_and_every_part_requires_one() -> None:
    found = [
        (str(path.relative_to(VKBOT.parent)), line, scope, what)
        for path in sorted(VKBOT.rglob("*.py"))
        if path != VKBOT / "clock.py"
        for line, scope, what in clock_fallbacks(path.read_text(encoding="utf-8"))
    ]
    offenders = [
        f"{path}:{line} in {scope or 'module'}: {what}"
        for path, line, scope, what in found
        if (path, scope) not in CLOCK_MAKERS
    ]
    assert offenders == [], (
        "take the clock as a required argument; open_app and cli.main make it:\n" + "\n".join(offenders)
    )
    # The allowed places still make it (else this allowance is stale and should go).
    assert {(path, scope) for path, _, scope, what in found if what == "SystemClock"} == CLOCK_MAKERS
