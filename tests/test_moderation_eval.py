"""`vkbot moderation eval`: figures computed from the items, JSON last line, targets on the dev set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import i18n
import moderation
from moderation.classifier import OfflineClassifier
from moderation.evaluation import GRIEF_CATEGORIES, evaluate, load_items
from moderation.settings import ModerationSettings
from vkbot.cli import main

# A copy of ../shared/data/moderation-dev.jsonl, so a clean clone anywhere runs it.
DEV_SET = Path(__file__).resolve().parent / "data" / "moderation-dev.jsonl"
OWN_SET = Path(__file__).resolve().parent / "data" / "moderation-own.jsonl"

ITEMS = [
    ("Ты тупая тварь", "abusive", "nonprofane_insult"),
    ("Я знаю, где ты живешь", "abusive", "threat"),
    ("Нежная и добрая открытка, спасибо", "abusive", "spam"),  # mislabelled on purpose: a miss
    ("Сына убили на войне, хочу заказать видео", "ok", "order"),
    ("Сколько стоит ролик?", "ok", "question"),
    ("Дорого и долго, мне не понравилось", "ok", "civil_criticism"),
    ("Пошла нахуй", "ok", "neutral"),  # mislabelled on purpose: a false positive
]


def _last_json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_figures_follow_from_the_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "small.jsonl"
    rows = [
        {"id": f"t{i}", "text": t, "lang": "ru", "channel": "message", "label": lab, "category": cat}
        for i, (t, lab, cat) in enumerate(ITEMS)
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    clf = OfflineClassifier()
    hidden = {r["id"]: clf.classify(r["text"], "message").max_score() >= 0.8 for r in rows}
    abusive = [r for r in rows if r["label"] == "abusive"]
    ok = [r for r in rows if r["label"] == "ok"]
    tp = sum(hidden[r["id"]] for r in abusive)
    fp = sum(hidden[r["id"]] for r in ok)
    grief = [r for r in ok if r["category"] in GRIEF_CATEGORIES]
    precision, recall = tp / (tp + fp), tp / len(abusive)

    assert main(["moderation", "eval", str(path), "--json", "--tier", "rules"]) == 0
    got = _last_json(capsys)
    assert got["n"] == len(rows)
    assert got["recall_abusive"] == pytest.approx(recall)
    assert got["fpr_ok"] == pytest.approx(fp / len(ok))
    assert got["fpr_grief"] == pytest.approx(sum(hidden[r["id"]] for r in grief) / len(grief))
    assert got["fpr_civil"] == 0
    assert got["f1"] == pytest.approx(2 * precision * recall / (precision + recall))
    assert (tp, fp) == (2, 1)  # the two deliberate mislabels show up as a miss and a false positive


def test_rate_with_nothing_to_divide_is_null(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok-only.jsonl"
    row = {"text": "Спасибо!", "lang": "ru", "channel": "comment", "label": "ok", "category": "gratitude"}
    path.write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    assert main(["moderation", "eval", str(path), "--json"]) == 0
    got = _last_json(capsys)
    assert got["recall_abusive"] is None and got["fpr_grief"] is None and got["fpr_civil"] is None


def test_ml_without_weights_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[moderation]\nml_checkpoint = "{tmp_path / "none.ckpt"}"\n', encoding="utf-8")
    path = tmp_path / "one.jsonl"
    path.write_text('{"text": "x", "label": "ok", "category": "neutral"}', encoding="utf-8")
    assert main(["moderation", "eval", str(path), "--ml", "--config", str(config)]) == 2
    assert "fetch-model" in capsys.readouterr().err


def test_dev_set_targets() -> None:
    summary = evaluate(load_items(DEV_SET), OfflineClassifier(), ModerationSettings()).summary()
    assert summary["recall_abusive"] >= 0.95
    assert summary["fpr_grief"] == 0
    assert summary["fpr_civil"] <= 0.05


def test_own_set_targets() -> None:
    summary = evaluate(load_items(OWN_SET), OfflineClassifier(), ModerationSettings()).summary()
    assert summary["n"] >= 40
    assert summary["recall_abusive"] >= 0.9
    assert summary["fpr_ok"] == 0


def test_public_surface_and_texts() -> None:
    assert set(moderation.__all__) >= {
        "OfflineClassifier",
        "decide",
        "ModerationContext",
        "Verdict",
        "Signal",
    }
    for lang in i18n.LANGUAGES:
        assert "8-800" in i18n.text("intake.crisis.support", lang, support_line="8-800-2000-122")


@pytest.mark.parametrize(
    "labelled_set",
    sorted((Path(__file__).resolve().parent / "data").glob("moderation-*.jsonl")),
    ids=lambda path: path.stem,
)
def test_no_rule_hides_an_ok_item_of_any_labelled_set(labelled_set: Path) -> None:
    """Every set, tuned on or not: hiding a relative's words is the error the rules must never make.

    Recall is only pinned loosely here (its honest figure on new text is the blind sets' untouched score).
    """
    summary = evaluate(load_items(labelled_set), OfflineClassifier(), ModerationSettings()).summary()
    assert summary["fpr_ok"] == 0 and summary["fpr_grief"] == 0 and summary["fpr_civil"] == 0
    assert summary["recall_abusive"] >= 0.9
