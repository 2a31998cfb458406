"""Domain packages state what they need as protocols and never import vkbot; each names its public surface."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("waitlist", "moderation", "publishing", "i18n", "dbtypes")


@pytest.mark.parametrize("package", DOMAIN)
def test_a_domain_package_never_imports_vkbot(package: str) -> None:
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "vkbot"]
    assert offenders == []


@pytest.mark.parametrize("package", DOMAIN)
def test_the_public_surface_is_explicit_and_importable(package: str) -> None:
    module = importlib.import_module(package)
    exported = getattr(module, "__all__", None)
    assert exported, f"{package} names no public surface (__all__)"
    missing = [name for name in exported if not hasattr(module, name)]
    assert missing == []
