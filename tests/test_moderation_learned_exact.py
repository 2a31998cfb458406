"""The learned tier's fast scoring equals the model's plain definition, for any model training writes.

The reference below reads the model file itself and scores a text the way training defines it: the
distinct n-grams of ``features()`` that are in each block's vocabulary, their coefficient*scale summed
(exactly, with fsum), divided by the root of their squared scales' sum for an l2 block. The shipped
model is compared on every labelled set and on the corpora (held-out parts included); a small
hand-built model covers what the shipped one does not use (word trigrams, a block without l2).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from moderation.learned import (
    DEFAULT_MODEL,
    FORMAT,
    FeatureSettings,
    GriefWords,
    LearnedModel,
    LearnedTier,
    features,
    model_arrays,
    read_words,
)

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 1e-9


def _texts() -> list[str]:
    texts = [
        json.loads(line)["text"]
        for path in sorted((ROOT / "tests" / "data").glob("moderation-*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for path in sorted((ROOT / "data" / "training").glob("*/*.tsv")):
        if path.name == "train.tsv":
            continue  # what the model was fitted on proves nothing more than the held-out parts
        with path.open(newline="", encoding="utf-8") as fh:
            texts += [
                v for row in csv.DictReader(fh, delimiter="\t") for k, v in row.items() if v and k != "index"
            ]
    return [*EDGES, *texts]


# No words, one word, repeats, marks only, spaced and hidden letters.
EDGES = ["", "?!", "сука", "сука сука сука", "х у й !", "a b c d e", "ты ты?"]
TEXTS = _texts()


def reference_logit(header: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Callable[[str], float]:
    settings = FeatureSettings.from_json(header["features"])
    blocks: dict[str, tuple[dict[str, tuple[float, float]], bool]] = {}
    for name, spec in header["blocks"].items():
        vocab = arrays[f"{name}_vocab"].tobytes().decode("utf-8").split("\n") if spec["size"] else []
        scales, coefs = arrays[f"{name}_scale"].tolist(), arrays[f"{name}_coef"].tolist()
        table = {gram: (c * s, s * s) for gram, s, c in zip(vocab, scales, coefs, strict=True)}
        blocks[name] = (table, bool(spec["l2"]))

    def logit(text: str) -> float:
        char_grams, word_grams = features(text, settings)
        total = float(header["intercept"])
        for name, grams in (("char", char_grams), ("word", word_grams)):
            table, l2 = blocks[name]
            present = {gram for gram in grams if gram in table}
            if not present:
                continue
            value = math.fsum(table[gram][0] for gram in present)
            total += value / math.sqrt(math.fsum(table[gram][1] for gram in present)) if l2 else value
        return total

    return logit


def _shipped() -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    with np.load(DEFAULT_MODEL, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    return json.loads(arrays.pop("header").tobytes().decode("utf-8")), arrays


def _assert_same(model: LearnedModel, logit: Callable[[str], float], texts: Sequence[str]) -> None:
    differing = []
    for text in texts:
        fast, cold_again, plain = model.logit(text), model.logit(text), logit(text)  # second: memoised
        if not abs(fast - plain) <= TOLERANCE or fast != cold_again:
            differing.append((text, fast, plain))
    assert not differing


def test_the_shipped_model_scores_as_its_definition_and_judges_alike() -> None:
    header, arrays = _shipped()
    assert len(TEXTS) > 5000
    tier, logit = LearnedTier(LearnedModel(header, arrays)), reference_logit(header, arrays)
    _assert_same(tier.model, logit, TEXTS)
    for text in TEXTS:
        score, plain = tier.assess(text).score, 1.0 / (1.0 + math.exp(-logit(text)))
        assert (score >= tier.hide, score >= tier.review) == (plain >= tier.hide, plain >= tier.review)


def _toy(l2: tuple[bool, bool]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A hand-built model with word trigrams and marks, its vocabulary drawn from the texts."""
    settings = FeatureSettings(char_min=1, char_max=4, word_max=3)
    chars: dict[str, None] = {}
    words: dict[str, None] = {}
    for text in TEXTS[:400]:
        char_grams, word_grams = features(text, settings)
        chars.update(dict.fromkeys(char_grams[::3]))
        words.update(dict.fromkeys(word_grams[::2]))
    words.update(dict.fromkeys(["<q>", "<!>"]))
    rng = np.random.default_rng(9)
    blocks: dict[str, tuple[Sequence[str], np.ndarray, np.ndarray]] = {
        name: (list(vocab), rng.uniform(0.1, 3.0, len(vocab)), rng.normal(0.0, 1.0, len(vocab)))
        for name, vocab in (("char", chars), ("word", words))
    }
    header = {
        "format": FORMAT,
        "version": "toy",
        "features": settings.to_json(),
        "blocks": {
            name: {"size": len(blocks[name][0]), "l2": flag} for name, flag in zip(blocks, l2, strict=True)
        },
        "intercept": -0.25,
        "thresholds": {"review": 0.4, "hide": 0.6},
    }
    arrays = model_arrays(header, blocks)
    arrays.pop("header")
    return header, arrays


@pytest.mark.parametrize("l2", [(True, True), (False, True), (True, False), (False, False)])
def test_any_trained_shape_scores_as_its_definition(l2: tuple[bool, bool]) -> None:
    header, arrays = _toy(l2)
    _assert_same(LearnedModel(header, arrays), reference_logit(header, arrays), [*EDGES, *TEXTS[::10]])


def _plain_grief(grief: GriefWords, words: Sequence[str]) -> bool:
    if any(word.startswith(grief.prefixes) for word in words):
        return True
    joined = f" {' '.join(words)} "
    return any(f" {phrase} " in joined for phrase in grief.phrases)


def test_grief_words_are_found_as_by_their_definition() -> None:
    grief = GriefWords.load()
    cases = [read_words(text) for text in TEXTS]
    cases += [
        [],
        ["непохоронен"],
        ["похороны"],
        ["земля", "пухом"],
        ["земля"],
        ["пухом", "земля"],
        ["rest", "easy"],
    ]
    found = [grief.found(words) for words in cases]
    assert found == [_plain_grief(grief, words) for words in cases]
    assert 50 < sum(found) < len(cases) // 2
    odd = GriefWords(("", "a b"), ("",))  # empty prefix and phrase, a prefix with a space
    assert [odd.found(w) for w in ([], ["x"], ["a", "b"])] == [
        _plain_grief(odd, w) for w in ([], ["x"], ["a", "b"])
    ]


@pytest.mark.parametrize("word_max", [1, 2, 3, 4])
def test_word_ngrams_are_the_plain_slices(word_max: int) -> None:
    for text in [*EDGES, *TEXTS[:300]]:
        words = read_words(text)
        plain = list(words)
        for n in range(2, word_max + 1):
            plain += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
        settings = FeatureSettings(word_max=word_max)
        assert features(text, settings)[1] == plain + [
            m for m, s in (("<q>", "?"), ("<!>", "!")) if s in text
        ]
