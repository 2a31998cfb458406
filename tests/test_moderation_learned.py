"""The learned tier: the shipped model loads and scores, training is deterministic, corrections count,
the policy keeps grief safe whatever the score, and eval reports the review figures."""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from moderation.classifier import Classification, OfflineClassifier, Signal
from moderation.evaluation import evaluate, load_items
from moderation.learned import (
    DEFAULT_MODEL,
    LearnedModel,
    LearnedTier,
    ModelFormatError,
    holds_contact,
    read_words,
)
from moderation.models import ModItem
from moderation.policy import LearnedScore, ModerationContext, decide
from moderation.records import hidden_source_keys, record_verdict, review_source_keys
from moderation.settings import ModerationSettings
from moderation.subject import Subject
from moderation.training import BLAS_ENV, CANDIDATES, fit_libraries, recipe_digest, train
from tests.db_fixtures import db_url, engine  # noqa: F401
from vkbot.cli import main

DATA = Path(__file__).resolve().parent / "data"
SETTINGS = ModerationSettings()
OPEN = ModerationContext("message")


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return LearnedModel.load()


@pytest.fixture(scope="module")
def tier(model: LearnedModel) -> LearnedTier:
    return LearnedTier(model)


@pytest.fixture(scope="module")
def clf() -> OfflineClassifier:
    return OfflineClassifier()


# -- the shipped model --------------------------------------------------------------------------------


def test_the_shipped_model_is_small_loads_without_pickle_and_scores(model: LearnedModel) -> None:
    assert DEFAULT_MODEL.stat().st_size <= 30 * 1024 * 1024
    assert model.version and 0 < model.thresholds["review"] <= model.thresholds["hide"] < 1
    abusive = ["Ты тупая тварь, сдохни", "Ти тупа курва", "You are a stupid bitch"]
    ordinary = ["Спасибо вам огромное за ролик", "Дякую, дуже гарне відео", "Thank you so much for the video"]
    for bad, good in zip(abusive, ordinary, strict=True):
        assert 0.0 <= model.score(good) < model.score(bad) <= 1.0, (bad, good)
    assert model.score(abusive[0]) >= model.thresholds["hide"]


def test_the_model_card_sits_beside_the_model_and_names_sources_and_version(model: LearnedModel) -> None:
    card = (DEFAULT_MODEL.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert model.version in card and "RUSSE-2022" in card and "openrail++" in card


def test_the_shipped_model_was_trained_by_the_present_recipe_with_the_pinned_libraries(
    model: LearnedModel,
) -> None:
    # An edit to the training, feature or policy code or the rule data needs `vkbot moderation train`;
    # other solver releases fit other coefficients, so a clean clone reproduces the file only with these.
    assert model.header["recipe_sha256"] == recipe_digest(CANDIDATES)
    assert model.header["libraries"] == fit_libraries()
    assert model.header["blas"] == BLAS_ENV  # one kernel set and one thread: the same bits on every CPU


def test_hidden_letters_are_read_back() -> None:
    assert read_words("х у й") == ["хуй"]
    assert read_words("с\u200bука п0шла х|уйня т_в_а_р_ь СУУУКА") == [
        "сука",
        "пошла",
        "хуйня",
        "тварь",
        "сука",
    ]
    assert read_words("Ёлки, don't") == ["елки", "dont"]


def test_a_broken_model_file_turns_the_tier_off_with_a_logged_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "learned.npz"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ModelFormatError):
        LearnedModel.load(broken)
    with caplog.at_level(logging.ERROR, "moderation.learned"):
        assert LearnedTier.from_settings(ModerationSettings(learned_model=broken)) is None
    assert "learned tier off" in caplog.text
    assert LearnedTier.from_settings(ModerationSettings(learned_enabled=False)) is None


# -- training ------------------------------------------------------------------------------------------

TOXIC = ["ты тупой урод", "иди нахуй мразь", "заткнись дебил", "ти тупа курва", "you stupid idiot"]
NEUTRAL = ["ты неправ", "уходи пожалуйста", "помолчи пожалуйста", "ти неправа", "you are wrong"]


def _small_corpora(root: Path) -> Path:
    russe, para = root / "russe-detox-2022", root / "paradetox-2024"
    russe.mkdir(parents=True)
    para.mkdir()
    fields = ["toxic_comment", "neutral_comment1", "neutral_comment2", "neutral_comment3"]
    for part, copies in (("train", 4), ("dev", 1)):
        with (russe / f"{part}.tsv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, ["index", *fields] if part == "train" else fields, delimiter="\t")
            writer.writeheader()
            for n in range(copies):
                for i, (bad, good) in enumerate(zip(TOXIC, NEUTRAL, strict=True)):
                    row = {"toxic_comment": f"{bad} {n}", "neutral_comment1": f"{good} {n}"}
                    writer.writerow(
                        {**row, "neutral_comment2": "", "neutral_comment3": ""}
                        | ({"index": str(n * 10 + i)} if part == "train" else {})
                    )
    with (russe / "test.tsv").open("w", newline="", encoding="utf-8") as fh:
        fh.write("toxic_comment\nпошел вон урод\n")
    for lang in ("ru", "uk", "en"):
        with (para / f"{lang}.tsv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, delimiter="\t")
            writer.writerow(["toxic_sentence", "neutral_sentence"])
            for n in range(5):
                writer.writerow([f"{TOXIC[n]} {lang}", f"{NEUTRAL[n]} {lang}"])
    return root


def _labelled(path: Path) -> Path:
    rows = [
        {"text": "Хочу заказать ролик с мамой", "label": "ok", "category": "order"},
        {"text": "Сколько стоит видео?", "label": "ok", "category": "question"},
        {"text": "Ты бездарная дура", "label": "abusive", "category": "nonprofane_insult"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_training_twice_on_the_same_input_writes_the_same_bytes(tmp_path: Path) -> None:
    corpora, labelled = _small_corpora(tmp_path / "corpora"), _labelled(tmp_path / "set.jsonl")
    first = train(corpora, [labelled], tmp_path / "a" / "learned.npz", candidates=CANDIDATES[:1])
    second = train(corpora, [labelled], tmp_path / "b" / "learned.npz", candidates=CANDIDATES[:1])
    assert first.model_path.read_bytes() == second.model_path.read_bytes()
    model = LearnedModel.load(first.model_path)
    assert model.score("ты тупой урод") > model.score("ты неправ")


def test_corrections_change_the_model_towards_her_labels(tmp_path: Path) -> None:
    corpora, labelled = _small_corpora(tmp_path / "corpora"), _labelled(tmp_path / "set.jsonl")
    text = "какой же ты клоун"
    plain = train(corpora, [labelled], tmp_path / "a" / "learned.npz", candidates=CANDIDATES[:1])
    corrected = train(
        corpora,
        [labelled],
        tmp_path / "b" / "learned.npz",
        candidates=CANDIDATES[:1],
        corrections=[(7, "not_abusive", text), (7, "abusive", text)],  # her last word on item 7 counts
    )
    assert plain.model_path.read_bytes() != corrected.model_path.read_bytes()
    before = LearnedModel.load(plain.model_path).score(text)
    assert LearnedModel.load(corrected.model_path).score(text) > before


# -- policy --------------------------------------------------------------------------------------------


def _learned(score: float, review: float = 0.5, hide: float = 0.9) -> LearnedScore:
    return LearnedScore(score, "test-1", review, hide)


def test_an_order_is_never_hidden_even_at_score_one() -> None:
    unprotected = ModerationSettings(order_content_protects=False)  # the rules' switch binds no score
    got = decide(
        Classification(),
        ModerationContext("message", has_order_content=True),
        unprotected,
        learned=_learned(1.0),
    )
    assert got.status == "flagged" and "learned:1.00>=hide,order" in got.reasons
    for context in (
        ModerationContext("message", has_order_content=True),
        ModerationContext("message", question=True),
    ):
        got = decide(Classification(), context, SETTINGS, learned=_learned(1.0))
        assert got.status == "flagged" and got.tier == "learned", context
        assert got.learned_score == 1.0 and got.model_version == "test-1"
    # In her order's conversation the score alone marks nothing, and is still recorded.
    got = decide(
        Classification(), ModerationContext("message", protected=True), SETTINGS, learned=_learned(1.0)
    )
    assert got.status == "ok" and got.learned_score == 1.0


@pytest.mark.parametrize("text", ["Привет", "Привіт", "Help", "Help me", "No", "Daughter", "Granddaughter"])
def test_a_score_alone_does_not_hide_one_or_two_words(tier: LearnedTier, text: str) -> None:
    """Common short texts the shipped model scored above hide: shown for her review at most."""
    score = tier.assess(text)
    assert score.short
    assert decide(Classification(), OPEN, SETTINGS, learned=score).status != "quarantined"
    longer = dataclasses.replace(score, short=False)  # the same score on a longer text hides
    assert decide(Classification(), OPEN, SETTINGS, learned=longer).status == (
        "quarantined" if score.score >= score.hide else "flagged"
    )


def test_one_or_two_words_are_marked_only_from_the_hide_threshold_and_then_for_review() -> None:
    """A first "Привет" or a name outside a conversation is not blurred for her on a review-band score."""
    band = LearnedScore(0.3, "test-1", 0.2, 0.6, short=True)
    high = LearnedScore(0.9, "test-1", 0.2, 0.6, short=True)
    assert decide(Classification(), OPEN, SETTINGS, learned=band).status == "ok"
    assert decide(Classification(), OPEN, SETTINGS, learned=high).status == "flagged"
    longer = LearnedScore(0.3, "test-1", 0.2, 0.6)
    assert decide(Classification(), OPEN, SETTINGS, learned=longer).status == "flagged"


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("Мой номер +7 912 345-67-89, лучше в WhatsApp", True),
        ("Мой email irina.petrova@mail.ru", True),
        ("Инстаграм сына @sasha_ivanov, там много фото", True),
        ("Номер картки для повернення: 5375 4141 0000 0000", True),
        ("Ему было 67, родился в 1957 году", False),
        ("Заказ №1234, жду", False),
    ],
)
def test_a_phone_an_email_or_a_handle_is_a_contact(text: str, contact: bool) -> None:
    assert holds_contact(text) is contact


def test_a_private_message_with_a_contact_is_not_hidden_on_a_score_alone() -> None:
    """A relative leaving a way to reach her; on the wall a number is no such thing (spam)."""
    score = LearnedScore(0.95, "test-1", 0.2, 0.6, contact=True)
    message = decide(Classification(), OPEN, SETTINGS, learned=score)
    assert (message.status, message.reasons) == ("flagged", ("learned:0.95>=hide,contact",))
    assert (
        decide(Classification(), ModerationContext("comment"), SETTINGS, learned=score).status
        == "quarantined"
    )
    scam = ModerationContext("message", unguarded="scam")
    assert decide(Classification(), scam, SETTINGS, learned=score).status == "quarantined"


def test_the_band_between_review_and_hide_goes_to_review_and_above_hides() -> None:
    assert decide(Classification(), OPEN, SETTINGS, learned=_learned(0.49)).status == "ok"
    band = decide(Classification(), OPEN, SETTINGS, learned=_learned(0.7))
    assert band.status == "flagged" and band.answer and "toxic" in band.categories
    assert band.reasons == ("learned:0.70>=review",)
    hidden = decide(Classification(), OPEN, SETTINGS, learned=_learned(0.95))
    # Hidden from her but still answered: a relative the score misjudges must not meet silence.
    assert hidden.status == "quarantined" and hidden.tier == "learned" and hidden.answer
    # A wall comment carries no order: order words in it protect nothing.
    comment = ModerationContext("comment", has_order_content=True)
    assert decide(Classification(), comment, SETTINGS, learned=_learned(0.95)).status == "quarantined"


def test_the_verdict_says_which_tier_decided() -> None:
    rule = Classification((Signal("insult", "rules", 0.9, "insult_root"),))
    both = decide(rule, OPEN, SETTINGS, learned=_learned(0.95))
    assert both.status == "quarantined" and both.tier == "rules"
    assert "rule:insult_root" in both.reasons and "learned:0.95>=hide" in both.reasons
    flagged_rule = Classification((Signal("insult", "rules", 0.6, "weak"),))
    raised = decide(flagged_rule, OPEN, SETTINGS, learned=_learned(0.95))
    assert raised.status == "quarantined" and raised.tier == "learned"
    assert decide(Classification(), OPEN, SETTINGS).tier == ""


def test_configured_thresholds_override_the_models(model: LearnedModel) -> None:
    tier = LearnedTier(model, review=0.2, hide=0.3)
    assert (tier.review, tier.hide) == (0.2, 0.3)
    assert LearnedTier(model, review=0.95, hide=0.5).review == 0.5  # review never above hide
    with pytest.raises(ValueError):
        ModerationSettings(learned_review_threshold=0.9, learned_hide_threshold=0.5)


# -- eval ----------------------------------------------------------------------------------------------

ITEMS = [
    ("Ты тупая тварь", "abusive", "nonprofane_insult"),
    ("Ну и клоунада у вас тут, позорище", "abusive", "nonprofane_insult"),
    ("Сына убили на войне, хочу заказать видео", "ok", "order"),
    ("Сколько стоит ролик?", "ok", "question"),
    ("Дорого и долго, мне не понравилось", "ok", "civil_criticism"),
]


def _write(path: Path) -> Path:
    rows = [
        {"id": f"t{i}", "text": t, "lang": "ru", "channel": "message", "label": lab, "category": cat}
        for i, (t, lab, cat) in enumerate(ITEMS)
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_review_figures_follow_from_the_verdicts(tmp_path: Path, clf: OfflineClassifier) -> None:
    items = load_items(_write(tmp_path / "s.jsonl"))
    # A stand-in score: the second insult and the civil criticism fall in the review band.
    scores = {ITEMS[1][0]: 0.7, ITEMS[4][0]: 0.6}
    report = evaluate(items, clf, SETTINGS, learned=lambda t: _learned(scores.get(t, 0.1)), tier="all")
    summary = report.summary()
    status = {s.item.text: s.verdict.status for s in report.scored}
    abusive = [t for t, lab, _ in ITEMS if lab == "abusive"]
    ok = [t for t, lab, _ in ITEMS if lab == "ok"]
    assert summary["review_recall"] == sum(status[t] != "ok" for t in abusive) / len(abusive) == 1.0
    assert summary["review_ok"] == sum(status[t] == "flagged" for t in ok) / len(ok) == pytest.approx(1 / 3)
    assert summary["fpr_ok"] == 0 and summary["tier"] == "all" and summary["model_version"] == "test-1"


def test_eval_cli_runs_each_tier_and_reports_the_new_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "s.jsonl")
    seen = {}
    for tier in ("rules", "learned", "all"):
        assert main(["moderation", "eval", str(path), "--json", "--tier", tier]) == 0
        seen[tier] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert {"review_recall", "review_ok", "recall_abusive", "fpr_ok", "f1"} <= set(seen[tier])
        assert seen[tier]["tier"] == tier
    assert seen["rules"]["model_version"] is None and seen["all"]["model_version"]
    assert seen["all"]["review_recall"] >= max(
        seen["rules"]["review_recall"], seen["learned"]["review_recall"]
    )


@pytest.mark.parametrize("labelled_set", sorted(DATA.glob("moderation-*.jsonl")), ids=lambda path: path.stem)
def test_the_combined_tiers_hide_no_ok_item_of_any_labelled_set(
    labelled_set: Path, clf: OfflineClassifier, tier: LearnedTier
) -> None:
    """Tuned on these sets (they are training data): this pins the policy's safety, not generalisation."""
    summary = evaluate(load_items(labelled_set), clf, SETTINGS, learned=tier.assess, tier="all").summary()
    assert summary["fpr_ok"] == 0 and summary["fpr_grief"] == 0 and summary["fpr_civil"] == 0


# -- records -------------------------------------------------------------------------------------------


def test_a_verdict_records_its_tier_score_and_model_and_review_items_are_known(engine: Engine) -> None:  # noqa: F811
    learned = _learned(0.7)
    band = decide(Classification(), OPEN, SETTINGS, learned=learned)
    hidden = decide(Classification(), OPEN, SETTINGS, learned=_learned(0.97))
    with Session(engine) as session:
        for key, verdict in (("evt:1", band), ("evt:2", hidden)):
            record_verdict(
                session,
                Subject.message(key, 5, 5, None, "какой-то текст"),
                verdict,
                Classification(),
                datetime(2026, 12, 1, tzinfo=UTC),
            )
        session.commit()
        item = session.exec(select(ModItem).where(ModItem.source_key == "evt:1")).one()
        assert (item.status, item.tier, item.learned_score, item.model_version) == (
            "flagged",
            "learned",
            0.7,
            "test-1",
        )
        assert review_source_keys(session, ["evt:1", "evt:2", "evt:3"]) == {"evt:1"}
        assert hidden_source_keys(session, ["evt:1", "evt:2"]) == {"evt:2"}


def test_words_of_mourning_keep_a_score_from_hiding(tier: LearnedTier) -> None:
    mourning = tier.assess("Сука, як же боляче. Вже рік без тебе, синку.")
    assert mourning.grief
    got = decide(Classification(), OPEN, SETTINGS, learned=replace(mourning, score=1.0))
    assert got.status == "flagged" and got.reasons == ("learned:1.00>=hide,grief",)
    assert not tier.assess("Ты тупая тварь").grief
    # the days of the dead are mourning too
    assert tier.assess("у нас на Радоницу вся деревня на кладбище собирается").grief
    assert tier.assess("Упокой, Господи, души рабов Твоих").grief


def test_her_restores_and_confirmations_are_the_corrections_training_reads(engine: Engine) -> None:  # noqa: F811
    from moderation.review import confirm, restore
    from moderation.training import stored_corrections

    at = datetime(2026, 12, 1, tzinfo=UTC)
    with Session(engine) as session:
        items = [
            record_verdict(
                session,
                Subject.message(f"evt:{n}", 5, 5, None, text),
                decide(Classification(), OPEN, SETTINGS, learned=_learned(0.95)),
                Classification(),
                at,
            )
            for n, text in enumerate(("Сорок дней сегодня, держусь", "ты жалкая торгашка"))
        ]
        assert items[0].id is not None and items[1].id is not None
        restore(session, items[0].id, "founder", at, group_id=1)
        confirm(session, items[1].id, "founder", at)
        session.commit()
        assert stored_corrections(session) == [
            (items[0].id, "not_abusive", "Сорок дней сегодня, держусь"),
            (items[1].id, "abusive", "ты жалкая торгашка"),
        ]


def test_the_held_out_part_is_written_for_eval_and_never_trained_on(tmp_path: Path) -> None:
    from moderation.training import corpus_examples, split_heldout, write_heldout

    corpora = _small_corpora(tmp_path / "corpora")
    paths = write_heldout(corpora, tmp_path / "heldout")
    rows = [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    training, heldout = split_heldout(corpus_examples(corpora))
    assert len(rows) == len(heldout) and {r["label"] for r in rows} == {"abusive", "ok"}
    assert not {e.text for e in training} & {r["text"] for r in rows}
    assert {p.name for p in paths} >= {"heldout-russe-dev.jsonl", "heldout-paradetox-uk.jsonl"}


def test_the_written_set_trains_on_its_training_part_only_and_its_lines_never_cross(tmp_path: Path) -> None:
    from moderation.training import WRITTEN, WRITTEN_SETS, write_heldout, written_examples

    shipped = Path(__file__).resolve().parent.parent / "data" / "training"
    # Every set's lines together: a line held out in one set is trained on in no other.
    parts = {
        part: [
            json.loads(line)
            for name in WRITTEN_SETS
            for line in (shipped / name / f"{part}.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        for part in ("train", "heldout")
    }
    cores = {
        part: {c for r in rows for c in r["group"].split("/", 2)[2].split("+")}
        for part, rows in parts.items()
    }
    assert not cores["train"] & cores["heldout"]  # no line, nor a variant or join of it, on both sides
    assert not {r["text"] for r in parts["train"]} & {r["text"] for r in parts["heldout"]}
    assert {r["lang"] for r in parts["heldout"]} == {"ru", "uk", "en"}
    assert {r["label"] for r in parts["heldout"]} == {"abusive", "ok"}

    corpora = _small_corpora(tmp_path / "corpora")
    (corpora / WRITTEN).mkdir()
    for part in ("train", "heldout"):
        row = {"text": f"{part} text", "label": "ok", "category": "question", "group": f"ru/question/{part}"}
        (corpora / WRITTEN / f"{part}.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    later = corpora / WRITTEN_SETS[1]
    later.mkdir()
    (later / "train.jsonl").write_text(json.dumps(row | {"text": "later text"}) + "\n", encoding="utf-8")
    (later / "heldout.jsonl").write_text(json.dumps(row | {"text": "later held"}) + "\n", encoding="utf-8")
    trained = written_examples(corpora)
    assert [(e.text, e.source) for e in trained] == [
        ("train text", "written/train"),
        ("later text", f"written/train-{WRITTEN_SETS[1].removeprefix('written-')}"),
    ]
    assert all(e.labelled for e in trained)
    copied = {p.name: p for p in write_heldout(corpora, tmp_path / "out") if "written" in p.name}
    assert {
        name: [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
        for name, path in copied.items()
    } == {"heldout-written.jsonl": ["heldout text"], f"heldout-{WRITTEN_SETS[1]}.jsonl": ["later held"]}


def test_the_model_version_changes_with_the_training_settings_not_only_the_data() -> None:
    from moderation.training import Candidate

    base = recipe_digest(CANDIDATES)
    assert recipe_digest(CANDIDATES) == base
    assert (
        recipe_digest((*CANDIDATES[:1], replace(CANDIDATES[1], c=CANDIDATES[1].c * 2), *CANDIDATES[2:]))
        != base
    )
    assert recipe_digest((Candidate("lr-tfidf", "tfidf", 8.0, written_weight=5.0),)) != base


def test_a_grief_item_the_rules_hide_does_not_switch_the_scores_hiding_off() -> None:
    from moderation.training import Example, PolicyView, choose_thresholds

    examples = [
        Example("вопрос про ролик", 0, "labelled/x", "a", category="question"),  # the rules' error
        Example("заказ ролика", 0, "labelled/x", "b", category="order"),
        Example("тварь", 1, "labelled/x", "c"),
        Example("мразь", 1, "labelled/x", "d"),
        *(Example(f"toxic {i}", 1, "russe/train", f"t{i}") for i in range(9)),
        Example("neutral", 0, "russe/train", "n"),
        *(Example(f"спасибо {i}", 0, "labelled/x", f"ok{i}", category="gratitude") for i in range(58)),
    ]
    scores = np.array([0.99, 0.3, 0.8, 0.85, *[0.9] * 9, 0.2, *[0.1] * 58])
    views = [PolicyView("quarantined", True), *[PolicyView("ok", True)] * (len(examples) - 1)]
    hide = choose_thresholds(examples, scores, views)["hide"]
    assert 0.3 < hide <= 0.8  # below the abuse, above the order: not pushed to the grid's top
    views[1] = PolicyView("ok", True)
    assert choose_thresholds(examples, np.array([0.99, 0.9, *scores[2:]]), views)["hide"] > 0.9
