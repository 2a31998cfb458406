"""Training the learned tier: data, held-out split, candidate models, thresholds, the model file.

Deterministic: fixed seeds, sorted vocabularies, a single-threaded solver and fixed zip timestamps,
so the same inputs give a byte-identical model file.

Data (``data/training/README.md`` names sources and licences):

* RUSSE-2022 (Russian) train and test, and TextDetox/ParaDetox 2024 ru/uk/en: real toxic comments
  (label 1) and their human neutral rewrites (label 0);
* the project's labelled sets (``tests/data/*.jsonl``): orders, questions, gratitude, civil criticism,
  mat aimed at nobody (ok), and the abuse the community gets;
* the founder's corrections (``mod_label`` rows), when asked for.

Held out, never fitted on and never used to choose a threshold: RUSSE-2022 dev (all of it) and a
fixed, seeded fifth of the ParaDetox pairs of each language. A toxic text and its rewrites always fall
on the same side of every split. Thresholds come from out-of-fold scores on the training data.

scikit-learn is imported only here (training), never at run time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from moderation.classifier import Classification
from moderation.evaluation import GRIEF_CATEGORIES
from moderation.learned import (
    FORMAT,
    FeatureSettings,
    GriefWords,
    LearnedModel,
    features,
    model_arrays,
    read_words,
    scored,
    write_model,
)
from moderation.settings import DEFAULT_DATA_DIR, ModerationSettings

if TYPE_CHECKING:
    from sqlmodel import Session

__all__ = [
    "CANDIDATES",
    "Example",
    "TrainResult",
    "corpus_examples",
    "labelled_examples",
    "split_heldout",
    "train",
]

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = REPO / "data" / "training"
DEFAULT_LABELLED = REPO / "tests" / "data"
LABELLED_WEIGHT = 10.0  # hand-written items are few and are our policy: they weigh more than a corpus row
# The team's hand-written sets under the corpora folder, oldest first; each holds ``train.jsonl`` and a
# held-out ``heldout.jsonl`` (a fifth of its lines with all their variants, never fitted on).
WRITTEN_SETS = ("written-2026-12-07", "written-2026-12-07b")
# ``written-2026-12-07c`` is not trained on: fitted on its train part (train and held-out fifth as the others),
# the model hid fewer of the held-out fifths' abusive items of 07b and 07c (mocking the dead 4 -> 1 and
# 9 -> 5), its grief lines sharing the mockers' words. Both its parts are kept as unseen text to test on.
# ``written-2026-12-08`` (ordinary everyday text, all ok) is not trained on either: fitted on it, the model
# hid 2% of its held-out fifth instead of 11%, but 3-7 points less of the abuse on every blind set (the
# ordinary words pulled veiled threats and mockery down with them) and no fewer ok items of fresh blind
# set V (README, "Ordinary text"). Kept as unseen text to test on.
WRITTEN = WRITTEN_SETS[0]
# A written row's weight is a candidate setting (see CANDIDATES): out of fold, hand-written recall rose
# with it (5 < 15 < 25 < 40) while the corpora's held-out F1 fell; the choice weighs both.
WRITTEN_WEIGHT = 40.0
CORRECTION_WEIGHT = 5.0  # her corrections weigh most
HELDOUT_SHARE = 0.2
HELDOUT_SEED = 2026
FOLDS = 3
SEED = 9
# Threshold targets, met on out-of-fold scores of the training data (never on the held-out part).
HIDE_MAX_FPR_OK = 0.02  # hand-written ok items hidden (the target on unseen sets is 0.03)
HIDE_MIN_PRECISION = 0.90  # on the corpora's training part
REVIEW_MIN_RECALL = 0.95  # hand-written abusive items the learned score alone hides or sends to review
# (0.90 until 2026-12-07c, 0.93 until the issue 9 round: review_recall stayed 0.81-0.95 on the blind sets
# K and L, the target is 0.97; review only blurs an item for her, it hides nothing; 0.95 sends 1-2 more
# ok items in 100 to review there; see moderation/model/EXPERIMENTS.md)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: int  # 1 abusive / toxic, 0 ok / neutral
    source: str  # e.g. "russe/train", "paradetox/uk", "labelled/moderation-dev", "corrections"
    group: str  # a toxic text and its rewrites share a group
    lang: str = "ru"
    category: str = ""
    channel: str = "message"

    @property
    def labelled(self) -> bool:
        return self.source.startswith(("labelled/", "written/", "corrections"))


def _rows(path: Path) -> list[dict[str, str]]:
    # Fields may hold newlines: a CSV reader, never line by line (see the corpora README).
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def corpus_examples(root: Path) -> list[Example]:
    """RUSSE-2022 train/dev/test and ParaDetox ru/uk/en as examples, groups naming each toxic text."""
    out: list[Example] = []
    russe = root / "russe-detox-2022"
    for part in ("train", "dev", "test"):
        for number, row in enumerate(_rows(russe / f"{part}.tsv")):
            group = f"russe/{part}/{number}"
            out.append(Example(row["toxic_comment"], 1, f"russe/{part}", group))
            for key in ("neutral_comment1", "neutral_comment2", "neutral_comment3"):
                if (row.get(key) or "").strip():
                    out.append(Example(row[key], 0, f"russe/{part}", group))
    for lang in ("ru", "uk", "en"):
        for number, row in enumerate(_rows(root / "paradetox-2024" / f"{lang}.tsv")):
            group = f"paradetox/{lang}/{number}"
            out.append(Example(row["toxic_sentence"], 1, f"paradetox/{lang}", group, lang))
            if row["neutral_sentence"].strip():
                out.append(Example(row["neutral_sentence"], 0, f"paradetox/{lang}", group, lang))
    return [e for e in out if e.text.strip()]


def labelled_examples(paths: Iterable[Path], prefix: str = "labelled") -> list[Example]:
    """The project's labelled JSONL sets (text, label abusive|ok, lang, channel, category; ``group``
    when several rows are variants of one written line, so they share a fold)."""
    out: list[Example] = []
    for path in sorted(paths):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            raw = json.loads(line)
            out.append(
                Example(
                    str(raw["text"]),
                    int(raw["label"] == "abusive"),
                    f"{prefix}/{path.stem}",
                    f"{path.stem}/{raw.get('group', number)}",
                    str(raw.get("lang", "?")),
                    str(raw.get("category", "")),
                    str(raw.get("channel", "message")),
                )
            )
    return out


def written_examples(root: Path, part: str = "train") -> list[Example]:
    """A part (``train`` or ``heldout``) of the team's hand-written sets (``root/SET/PART.jsonl`` for
    each of ``WRITTEN_SETS`` that exists), sources ``written/PART`` for the first set and
    ``written/PART-SUFFIX`` for a later one (``written-2026-12-07b`` -> ``written/heldout-2026-12-07b``).
    Only ``train`` is ever fitted on."""
    out: list[Example] = []
    for name in WRITTEN_SETS:
        path = root / name / f"{part}.jsonl"
        if not path.exists():
            continue
        source = _written_source(name, part)
        out += [replace(e, source=source) for e in labelled_examples([path], prefix="written")]
    return out


def _written_source(name: str, part: str) -> str:
    return f"written/{part}" if name == WRITTEN else f"written/{part}-{name.removeprefix('written-')}"


def default_labelled_sets() -> list[Path]:
    return sorted(DEFAULT_LABELLED.glob("moderation-*.jsonl"))


def stored_corrections(session: Session) -> list[tuple[int, str, str]]:
    """The founder's labels (``mod_label``), oldest first: (item id, abusive|not_abusive, text)."""
    from sqlmodel import col, select

    from moderation.models import ModLabel

    rows = session.exec(select(ModLabel.item_id, ModLabel.label, ModLabel.text).order_by(col(ModLabel.id)))
    return [(int(item_id), str(label), str(text)) for item_id, label, text in rows]


def correction_examples(labels: Iterable[tuple[int, str, str]]) -> list[Example]:
    """(item id, label abusive|not_abusive, text) in the order given; the last label of an item wins."""
    latest: dict[int, tuple[str, str]] = {}
    for item_id, label, text in labels:
        latest[item_id] = (label, text)
    return [
        Example(text, int(label == "abusive"), "corrections", f"correction/{item_id}")
        for item_id, (label, text) in sorted(latest.items())
        if text.strip()
    ]


def _heldout_groups(examples: Sequence[Example]) -> set[str]:
    chosen = {e.group for e in examples if e.source == "russe/dev"}
    for lang in ("ru", "uk", "en"):
        groups = sorted({e.group for e in examples if e.source == f"paradetox/{lang}"}, key=_group_number)
        rng = random.Random(f"{HELDOUT_SEED}/{lang}")
        chosen.update(rng.sample(groups, round(len(groups) * HELDOUT_SHARE)))
    return chosen


def _group_number(group: str) -> int:
    return int(group.rsplit("/", 1)[1])


def split_heldout(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """(training, held-out). A training text equal (after normalising) to a held-out one is dropped."""
    chosen = _heldout_groups(examples)
    heldout = [e for e in examples if e.group in chosen]
    seen = {" ".join(read_words(e.text)) for e in heldout}
    training = [e for e in examples if e.group not in chosen and " ".join(read_words(e.text)) not in seen]
    return training, heldout


def write_heldout(corpora_dir: Path, out_dir: Path) -> list[Path]:
    """The held-out part as labelled JSONL files, one per source, for ``vkbot moderation eval``.

    Every corpus item is a wall comment (no order conversation); toxic texts are ``abusive``, rewrites
    ``ok``. Each hand-written set's held-out part is copied as it is (``heldout-written.jsonl`` for the
    first, ``heldout-written-2026-12-07b.jsonl`` and so on for later ones).
    """
    _, heldout = split_heldout(corpus_examples(corpora_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for source in sorted({e.source for e in heldout}):
        name = source.replace("/", "-")
        rows = [
            {
                "id": f"{name}-{i}",
                "text": e.text,
                "lang": e.lang,
                "channel": "comment",
                "label": "abusive" if e.label else "ok",
                "category": "toxic" if e.label else "neutral",
            }
            for i, e in enumerate(e for e in heldout if e.source == source)
        ]
        path = out_dir / f"heldout-{name}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        paths.append(path)
    for name in WRITTEN_SETS:
        written = corpora_dir / name / "heldout.jsonl"
        if written.exists():
            paths.append(out_dir / ("heldout-written.jsonl" if name == WRITTEN else f"heldout-{name}.jsonl"))
            paths[-1].write_bytes(written.read_bytes())
    return paths


# -- models ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    weighting: str  # "tfidf": binary tf x idf; "nb": binary x log-count ratio (NB-SVM, LR flavour)
    c: float
    min_df: int = 2
    settings: FeatureSettings = field(default_factory=FeatureSettings)
    written_weight: float = WRITTEN_WEIGHT  # a row of the team's hand-written set


# LR at written weight 40 ("lr-tfidf") was a candidate until 2026-12-08: it and weight 15 tied within
# 0.0003 of the choice score through four retrains in a row, and the choice flipped with each small policy
# change, moving K-N by 1-3 items each way; weight 15 kept review_recall higher on K, L and N (0.987,
# 0.920, 0.927 against 0.967-0.973, 0.907, 0.907) at the same review_ok, and it is what shipped.
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("lr-tfidf-w15", "tfidf", 8.0, written_weight=15.0),
    Candidate("nb-lr", "nb", 4.0),
)


@dataclass
class _Fitted:
    intercept: float
    blocks: dict[str, tuple[list[str], np.ndarray, np.ndarray]]  # name -> vocab, scale, coef


def _featurize(examples: Sequence[Example], settings: FeatureSettings) -> list[tuple[list[str], list[str]]]:
    return [features(e.text, settings) for e in examples]


def _fit(
    candidate: Candidate, feats: Sequence[tuple[list[str], list[str]]], y: np.ndarray, w: np.ndarray
) -> _Fitted:
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize as l2_rows

    matrices, specs = [], []
    for index, name in enumerate(("char", "word")):
        vectorizer = CountVectorizer(
            analyzer=_column(index), binary=True, min_df=candidate.min_df, dtype=np.float64
        )
        counts = vectorizer.fit_transform(feats).tocsc()
        vocab = vectorizer.get_feature_names_out().tolist()
        if candidate.weighting == "tfidf":
            df = np.asarray(counts.sum(axis=0)).ravel()
            scale = np.log((1 + len(feats)) / (1 + df)) + 1.0  # scikit-learn's smooth idf
        else:
            pos = np.asarray(counts[y == 1].sum(axis=0)).ravel() + 1.0
            neg = np.asarray(counts[y == 0].sum(axis=0)).ravel() + 1.0
            scale = np.log((pos / pos.sum()) / (neg / neg.sum()))
        scale = scale.astype(np.float32).astype(np.float64)  # as stored, so training sees what runs
        matrices.append(l2_rows(counts.tocsr() @ sparse.diags(scale)))
        specs.append((name, vocab, scale))
    x = sparse.hstack(matrices, format="csr")
    model = LogisticRegression(C=candidate.c, solver="lbfgs", max_iter=3000, tol=1e-6)
    model.fit(x, y, sample_weight=w)
    coef = model.coef_.ravel()
    blocks, start = {}, 0
    for name, vocab, scale in specs:
        blocks[name] = (vocab, scale.astype(np.float32), coef[start : start + len(vocab)].astype(np.float32))
        start += len(vocab)
    return _Fitted(float(np.float32(model.intercept_[0])), blocks)


def _column(index: int) -> Callable[[tuple[list[str], list[str]]], list[str]]:
    def pick(row: tuple[list[str], list[str]]) -> list[str]:
        return row[index]

    return pick


def _model(fitted: _Fitted, candidate: Candidate, version: str, extra: dict[str, Any]) -> LearnedModel:
    arrays = model_arrays(_header(fitted, candidate, version, extra), fitted.blocks)
    header = json.loads(arrays.pop("header").tobytes().decode("utf-8"))
    return LearnedModel(header, arrays)


# The libraries whose numerics the fit depends on: pyproject's train extra pins them, because another
# release of the solver gives other coefficients from the same data (seen: up to 0.016 apart).
FIT_LIBRARIES = ("scikit-learn", "scipy", "numpy")


def fit_libraries() -> dict[str, str]:
    return {name: installed_version(name) for name in FIT_LIBRARIES}


# OpenBLAS picks its kernels by CPU (SSE, AVX2, AVX-512) and may split a sum over threads, and each
# choice rounds the solver's dot products differently (seen: coefficients up to 0.016 apart on two
# machines with the same libraries). `vkbot moderation train` fits with these set (OpenBLAS reads them
# when numpy and scipy load), so every x86-64 machine fits the same bits.
BLAS_ENV = {"OPENBLAS_CORETYPE": "Nehalem", "OPENBLAS_NUM_THREADS": "1"}


def blas_settings() -> dict[str, str]:
    """The BLAS settings of this process, as the model's header records them."""
    return {name: os.environ.get(name, "") for name in BLAS_ENV}


def _header(fitted: _Fitted, candidate: Candidate, version: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": version,
        "candidate": candidate.name,
        "weighting": candidate.weighting,
        "c": candidate.c,
        "written_weight": candidate.written_weight,
        "min_df": candidate.min_df,
        "features": candidate.settings.to_json(),
        "blocks": {name: {"size": len(vocab), "l2": True} for name, (vocab, _, _) in fitted.blocks.items()},
        "intercept": fitted.intercept,
        "thresholds": {"review": 0.5, "hide": 0.9},  # placeholders until chosen (``extra``)
        "libraries": fit_libraries(),
        "blas": blas_settings(),
        **extra,
    }


def _weights(examples: Sequence[Example], written_weight: float = WRITTEN_WEIGHT) -> np.ndarray:
    return np.array(
        [
            CORRECTION_WEIGHT
            if e.source == "corrections"
            else written_weight
            if e.source.startswith("written/")
            else LABELLED_WEIGHT
            if e.labelled
            else 1.0
            for e in examples
        ]
    )


def _folds(examples: Sequence[Example]) -> list[int]:
    """A fold per example, by group, seeded: a toxic text and its rewrites share a fold."""
    groups = sorted({e.group for e in examples})
    random.Random(SEED).shuffle(groups)
    fold_of = {g: i % FOLDS for i, g in enumerate(groups)}
    return [fold_of[e.group] for e in examples]


def out_of_fold(candidate: Candidate, examples: Sequence[Example]) -> np.ndarray:
    """Each training example scored by a model fitted without its fold."""
    feats = _featurize(examples, candidate.settings)
    y, w = np.array([e.label for e in examples]), _weights(examples, candidate.written_weight)
    folds = np.array(_folds(examples))
    scores = np.zeros(len(examples))
    for fold in range(FOLDS):
        fit_rows = np.flatnonzero(folds != fold)
        fitted = _fit(candidate, [feats[i] for i in fit_rows], y[fit_rows], w[fit_rows])
        model = _model(fitted, candidate, "oof", {})
        held = np.flatnonzero(folds == fold)
        scores[held] = model.scores(examples[int(i)].text for i in held)
    return scores


# -- thresholds ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyView:
    """What the policy does with an example apart from the learned score: the rules' status alone, and
    whether a learned score may hide it at all (not an order in a private message, not a question)."""

    rules_status: str
    hideable: bool


def policy_views(examples: Sequence[Example], settings: ModerationSettings | None = None) -> list[PolicyView]:
    """The rules tier and the policy's guards over each example, as eval and the pipeline apply them."""
    from moderation.classifier import OfflineClassifier
    from moderation.policy import ModerationContext, decide
    from moderation.relative import with_guards

    settings = settings or ModerationSettings.model_validate({})
    classifier = OfflineClassifier(settings.data_dir)
    grief = GriefWords.load()
    views = []
    for e in examples:
        # A score that hides wherever the policy lets it.
        always = scored(1.0, "probe", 1.0, 1.0, e.text, read_words(e.text), grief)
        classification = classifier.classify(e.text, e.channel)
        channel: Any = "comment" if e.channel == "comment" else "message"
        base = ModerationContext(channel, has_order_content=classification.has_order_words)
        context = with_guards(base, e.text, classification, classifier)
        rules = decide(classification, context, settings).status
        no_rules = Classification(tuple(s for s in classification.signals if s.source != "rules"))
        views.append(
            PolicyView(rules, decide(no_rules, context, settings, learned=always).status == "quarantined")
        )
    return views


def choose_thresholds(
    examples: Sequence[Example], scores: np.ndarray, views: Sequence[PolicyView]
) -> dict[str, float]:
    """``hide`` and ``review`` from out-of-fold scores, the rules and the policy's guards applied.

    hide: the lowest threshold at which the score hides no hand-written order, follow-up or question
    the rules left shown, the combined tiers hide at most ``HIDE_MAX_FPR_OK`` of the hand-written ok
    items, and keep ``HIDE_MIN_PRECISION`` on the corpora's training part.
    review: the highest threshold (not above hide) at which the learned score alone reaches
    ``REVIEW_MIN_RECALL`` of the hand-written abusive items. The rules alone would not do: they were
    tuned on these very sets, so their recall there says nothing about new text.
    """
    labelled = np.array([e.labelled for e in examples])
    y = np.array([e.label for e in examples])
    grief = np.array([e.category in GRIEF_CATEGORIES for e in examples]) & labelled & (y == 0)
    rules_hide = np.array([v.rules_status == "quarantined" for v in views])
    hideable = np.array([v.hideable for v in views])
    ok_hand, abusive_hand, corpus = labelled & (y == 0), labelled & (y == 1), ~labelled
    grid = np.round(np.arange(0.05, 0.995, 0.005), 3)

    def hide_ok(t: float) -> bool:
        by_score = (scores >= t) & hideable
        hidden = rules_hide | by_score
        fpr = hidden[ok_hand].mean() if ok_hand.any() else 0.0
        tp, fp = (hidden & corpus & (y == 1)).sum(), (hidden & corpus & (y == 0)).sum()
        precision = tp / (tp + fp) if tp + fp else 1.0
        # A grief item the rules hide is the rules' error: no threshold can undo it, and counting it
        # would push hide to the top of the grid and switch the score's hiding off.
        grief_hidden = (by_score & ~rules_hide)[grief].any()
        return bool(not grief_hidden and fpr <= HIDE_MAX_FPR_OK and precision >= HIDE_MIN_PRECISION)

    hide = float(next((t for t in grid if hide_ok(t)), grid[-1]))
    review = float(grid[0])
    for t in grid[::-1]:
        if t <= hide and (scores[abusive_hand] >= t).mean() >= REVIEW_MIN_RECALL:
            review = float(t)
            break
    return {"review": review, "hide": hide}


def hand_oof_f1(
    examples: Sequence[Example], scores: np.ndarray, views: Sequence[PolicyView], hide: float
) -> float:
    """F1 of the learned score alone on the hand-written examples, out of fold, where the policy lets
    it hide (the rules left out: they were tuned on these very sets)."""
    labelled = np.array([e.labelled for e in examples])
    y = np.array([e.label for e in examples])[labelled]
    hidden = ((scores >= hide) & np.array([v.hideable for v in views]))[labelled]
    tp, fp, fn = (hidden & (y == 1)).sum(), (hidden & (y == 0)).sum(), (~hidden & (y == 1)).sum()
    return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0


# -- evaluation --------------------------------------------------------------------------------------


def binary_figures(labels: Sequence[int], scores: Sequence[float], threshold: float) -> dict[str, Any]:
    y, s = np.asarray(labels), np.asarray(scores) >= threshold
    tp, fp, fn = int((s & (y == 1)).sum()), int((s & (y == 0)).sum()), int((~s & (y == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    return {
        "n": len(y),
        "positives": int((y == 1).sum()),
        "precision": _round(precision),
        "recall": _round(recall),
        "f1": _round(f1),
        "fpr": _round(fp / int((y == 0).sum())) if (y == 0).any() else None,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def heldout_figures(model: LearnedModel, heldout: Sequence[Example]) -> dict[str, Any]:
    """Per held-out source, at the hide and review thresholds: precision, recall, F1, FPR."""
    out: dict[str, Any] = {}
    for source in sorted({e.source for e in heldout}):
        rows = [e for e in heldout if e.source == source]
        scores = model.scores(e.text for e in rows)
        labels = [e.label for e in rows]
        out[source] = {
            name: binary_figures(labels, scores, model.thresholds[name]) for name in ("hide", "review")
        }
    return out


# -- the whole run -------------------------------------------------------------------------------------


@dataclass
class TrainResult:
    model_path: Path
    header: dict[str, Any]
    comparison: dict[str, Any]


def train(
    corpora_dir: Path,
    labelled_paths: Sequence[Path],
    out_path: Path,
    *,
    corrections: Sequence[tuple[int, str, str]] = (),
    candidates: Sequence[Candidate] = CANDIDATES,
    version: str | None = None,
    compare: bool = True,
    log: Callable[[str], None] = lambda _: None,
) -> TrainResult:
    """Fit, compare candidates on the held-out part, choose thresholds out of fold, write the model.

    With several candidates the one with the best mean of two F1s at its own hide threshold is
    written: the corpora's held-out part (averaged over sources; toxic *language*) and the hand-written
    training texts out of fold with the policy's guards applied (our policy: mat at fate is ok). The
    written set's held-out part is reported, never used to choose. The comparison is returned and
    recorded in the header.
    """
    examples = corpus_examples(corpora_dir)
    training, heldout = split_heldout(examples)
    training += written_examples(corpora_dir)
    written_heldout = written_examples(corpora_dir, "heldout")
    training += labelled_examples(labelled_paths) + correction_examples(corrections)
    log(f"training examples: {len(training)}; held out: {len(heldout)}; corrections: {len(corrections)}")
    y = np.array([e.label for e in training])
    data_digest = _digest(training)
    recipe = recipe_digest(candidates)
    version = version or f"learned-{_sha256(f'{data_digest}/{recipe}'.encode())[:12]}"
    log("the rules' verdicts and the policy's guards over the training data")
    views = policy_views(training)
    comparison: dict[str, Any] = {}
    best: tuple[float, LearnedModel, dict[str, Any]] | None = None
    for candidate in candidates:
        log(f"{candidate.name}: out-of-fold scores ({FOLDS} folds)")
        oof = out_of_fold(candidate, training)
        thresholds = choose_thresholds(training, oof, views)
        log(f"{candidate.name}: thresholds {thresholds}; fitting on all training data")
        w = _weights(training, candidate.written_weight)
        fitted = _fit(candidate, _featurize(training, candidate.settings), y, w)
        extra = {
            "thresholds": thresholds,
            "data_sha256": data_digest,
            "recipe_sha256": recipe,
            "trained_on": len(training),
        }
        header = _header(fitted, candidate, version, extra)
        model = _model(fitted, candidate, version, extra)
        figures = heldout_figures(model, heldout) if compare else {}
        mean_f1 = float(np.mean([f["hide"]["f1"] for f in figures.values()])) if figures else 0.0
        if compare and written_heldout:  # reported, not used to choose the candidate
            figures |= heldout_figures(model, written_heldout)
        hand_f1 = hand_oof_f1(training, oof, views, thresholds["hide"])
        score = (mean_f1 + hand_f1) / 2
        comparison[candidate.name] = {
            "thresholds": thresholds,
            "heldout": figures,
            "mean_f1_hide": mean_f1,
            "oof_hand_f1_hide": hand_f1,
            "choice_score": score,
        }
        log(
            f"{candidate.name}: mean held-out F1 at hide {mean_f1:.4f}; out-of-fold hand-written F1 {hand_f1:.4f}"
        )
        if best is None or score > best[0]:
            best = (score, model, header)
            best_fitted = fitted
    assert best is not None
    _, model, header = best
    header["comparison"] = comparison
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_model(out_path, header, best_fitted.blocks)
    return TrainResult(out_path, header, comparison)


def _digest(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.label}\t{e.source}\t{e.text}\n".encode())
    return digest.hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# What a model depends on besides its data: the code that reads texts into features, fits and chooses
# thresholds, and the rules and word lists the thresholds are chosen with (the policy's guards).
RECIPE_FILES = (
    "moderation/training.py",
    "moderation/learned.py",
    "moderation/policy.py",
    "moderation/relative.py",
    "moderation/names.py",  # training reads texts without names, as the tiers do
    "moderation/model/relative.toml",
    "moderation/model/grief.toml",
)


def recipe_digest(candidates: Sequence[Candidate]) -> str:
    """SHA-256 of the training settings (candidates, weights, folds, threshold targets), the code and
    the rule data: the model's version changes when any of them does, not only when the data does."""
    settings = {
        "candidates": [
            [c.name, c.weighting, c.c, c.min_df, c.settings.to_json(), c.written_weight] for c in candidates
        ],
        "constants": [
            FORMAT,
            LABELLED_WEIGHT,
            CORRECTION_WEIGHT,
            FOLDS,
            SEED,
            HIDE_MAX_FPR_OK,
            HIDE_MIN_PRECISION,
            REVIEW_MIN_RECALL,
        ],
    }
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    rule_data = sorted(p for p in Path(DEFAULT_DATA_DIR).iterdir() if p.is_file())
    for path in [*(REPO / name for name in RECIPE_FILES), *rule_data]:
        digest.update(f"{path.name}\n".encode() + path.read_bytes())
    return digest.hexdigest()
