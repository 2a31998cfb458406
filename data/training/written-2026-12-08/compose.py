"""Build train.jsonl and heldout.jsonl of the fourth hand-written set from the lines in this folder:
ordinary, harmless messages and comments (all ok), written by three helpers who read no project file.

The same recipe as ``../written-2026-12-07/compose.py`` (its ``build``: the same seed, openers,
closers and joins): a fifth of the lines (by a seeded hash of the line) is held out with all their
variants and joins, and never trained on. The split was fixed before any score of these lines was
looked at. Run from the repository root: ``python data/training/written-2026-12-08/compose.py``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "compose_first", HERE.parent / "written-2026-12-07" / "compose.py"
)
assert _spec is not None and _spec.loader is not None
first = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(first)

if __name__ == "__main__":
    first.compose_later_set(HERE, "w1208")
