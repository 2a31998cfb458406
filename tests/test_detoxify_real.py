"""Opt-in check of the REAL Detoxify multilingual weights; skipped unless DETOXIFY_MODEL_DIR is set.

Point DETOXIFY_MODEL_DIR at a directory prepared by `vkbot moderation fetch-model`. It cannot run on
the development machine (no internet for the 1.1 GB checkpoint), so no result of it is claimed here.
It checks direction only (clear insults score above condolences), not calibrated thresholds.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("detoxify")
MODEL_DIR = os.environ.get("DETOXIFY_MODEL_DIR")
pytestmark = [
    pytest.mark.ml,
    pytest.mark.skipif(not MODEL_DIR, reason="DETOXIFY_MODEL_DIR (a fetch-model directory) is not set"),
]

INSULTS = ["You are a stupid idiot and I hate you", "Ты тупой идиот, заткнись"]
CONDOLENCES = [
    "Thank you, the video about my mother is beautiful",
    "Спасибо вам, ролик про папу очень тёплый",
]


def test_the_real_model_scores_insults_above_condolences() -> None:
    from moderation.provision import load_prepared

    scorer = load_prepared(Path(MODEL_DIR or "")).scorer()
    try:
        rows = scorer.score_batch(INSULTS + CONDOLENCES)
    finally:
        scorer.close()
    insults, condolences = rows[: len(INSULTS)], rows[len(INSULTS) :]
    assert min(row["toxicity"] for row in insults) > max(row["toxicity"] for row in condolences)
