"""The Detoxify tier on a tiny random checkpoint, through Detoxify's own loading API.

Random weights prove the wiring only (every score is about 0.5); nothing here measures accuracy.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("detoxify")
pytestmark = pytest.mark.ml

import torch  # noqa: E402

from moderation.detoxify_tier import (  # noqa: E402
    LABELS,
    DetoxifyScorer,
    MlScorer,
    ModelLoadError,
    ModelUnavailable,
    sha256_file,
)
from tests import detoxify_fixtures  # noqa: E402
from tests.detoxify_fixtures import copy_model  # noqa: E402
from tests.tiny_detoxify import TinyModel, build_tiny_detoxify, detoxify_checkpoint  # noqa: E402

tiny_model = detoxify_fixtures.tiny_model
tiny_sha256 = detoxify_fixtures.tiny_sha256

TEXTS = [
    "Примите мои соболезнования, сын погиб на фронте.",
    "Ты тупая сука",
    "Мій батько загинув на війні",
    "You are an idiot",
    "",
]


@pytest.fixture(scope="module")
def scorer(tiny_model: TinyModel, tiny_sha256: str) -> DetoxifyScorer:
    scorer = DetoxifyScorer(
        tiny_model.checkpoint, tiny_model.hf_dir, expected_sha256=tiny_sha256, batch_size=2
    )
    scorer.load()
    return scorer


def _assert_scores(rows: list[dict[str, float]], count: int) -> None:
    assert len(rows) == count
    for row in rows:
        assert list(row) == list(LABELS)
        assert all(isinstance(value, float) and 0.0 <= value <= 1.0 for value in row.values())


def test_a_batch_gets_seven_scores_per_message_in_order(scorer: DetoxifyScorer) -> None:
    rows = scorer.score_batch(TEXTS)
    _assert_scores(rows, len(TEXTS))
    # batch_size=2 splits five texts into three forward passes; each text scored alone agrees.
    alone = [scorer.score_batch([text])[0] for text in TEXTS]
    for together, single in zip(rows, alone, strict=True):
        assert together == pytest.approx(single, abs=1e-5)


def test_one_message_still_comes_back_as_a_list(scorer: DetoxifyScorer) -> None:
    _assert_scores(scorer.score_batch(["Вечная память"]), 1)  # Detoxify itself returns bare floats here


def test_no_messages_score_to_nothing(tiny_model: TinyModel) -> None:
    unloaded = DetoxifyScorer(tiny_model.checkpoint, tiny_model.hf_dir, expected_sha256="0" * 64)
    assert unloaded.score_batch([]) == []
    assert not unloaded.loaded


def test_a_long_message_is_truncated_not_a_crash(scorer: DetoxifyScorer) -> None:
    long_text = " ".join(["сын погиб на фронте, вечная память"] * 400)
    assert len(scorer.detoxify.tokenizer(long_text)["input_ids"]) > scorer.detoxify.tokenizer.model_max_length
    _assert_scores(scorer.score_batch([long_text, "ok"]), 2)


def test_the_loaded_weights_are_the_saved_ones(scorer: DetoxifyScorer, tiny_model: TinyModel) -> None:
    saved = torch.load(tiny_model.checkpoint, weights_only=False)["state_dict"]
    live = scorer.detoxify.model.state_dict()
    assert set(live) == set(saved)
    assert all(torch.equal(live[key], saved[key]) for key in saved)
    assert type(scorer.detoxify.model).__name__ == "XLMRobertaForSequenceClassification"


def test_the_scorer_satisfies_the_policy_protocol(scorer: DetoxifyScorer) -> None:
    assert isinstance(scorer, MlScorer)


def test_the_recorded_sha_is_used_when_none_is_given(tiny_model: TinyModel, tmp_path: Path) -> None:
    model = copy_model(tiny_model, tmp_path / "m")
    unhashed = DetoxifyScorer(model.checkpoint, model.hf_dir)
    with pytest.raises(ModelLoadError, match="no expected SHA-256"):
        unhashed.load()
    lock = {"prepared": {"file": model.checkpoint.name, "sha256": sha256_file(model.checkpoint)}}
    (model.checkpoint.parent / "model.lock.json").write_text(json.dumps(lock))
    DetoxifyScorer(model.checkpoint, model.hf_dir).load()


class _Planted:
    """Unpickling this creates a file: the proof that pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (str(self.marker), "w")


def test_a_wrong_sha_refuses_before_any_pickle_runs(tiny_model: TinyModel, tmp_path: Path) -> None:
    marker = tmp_path / "pickle-ran"
    planted = tmp_path / "planted.ckpt"
    planted.write_bytes(pickle.dumps(_Planted(marker)))
    with pytest.raises(ModelLoadError, match="refusing to load"):
        DetoxifyScorer(planted, tiny_model.hf_dir, expected_sha256=sha256_file(tiny_model.checkpoint)).load()
    assert not marker.exists()


def test_a_hub_name_model_type_is_refused_without_touching_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = build_tiny_detoxify(tmp_path, model_type="xlm-roberta-base")
    connections: list[object] = []

    def refuse(sock: socket.socket, address: object) -> None:
        connections.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    with pytest.raises(ModelLoadError, match=r"not a local directory.*fetch-model"):
        DetoxifyScorer(model.checkpoint, model.hf_dir, expected_sha256=sha256_file(model.checkpoint)).load()
    assert connections == []  # a hub attempt would have tried to connect


def test_a_config_with_the_wrong_label_count_is_refused(tmp_path: Path) -> None:
    model = build_tiny_detoxify(tmp_path, num_labels_in_config=2)  # like the stock xlm-roberta-base config
    with pytest.raises(ModelLoadError, match="has 2 labels but the checkpoint head has 16"):
        DetoxifyScorer(model.checkpoint, model.hf_dir, expected_sha256=sha256_file(model.checkpoint)).load()


def test_misnamed_weights_are_refused_rather_than_run_random(tiny_model: TinyModel, tmp_path: Path) -> None:
    saved = torch.load(tiny_model.checkpoint, weights_only=False)
    renamed = {f"model.{key}": value for key, value in saved["state_dict"].items()}
    renamed["classifier.out_proj.weight"] = saved["state_dict"]["classifier.out_proj.weight"]
    path = tmp_path / "renamed.ckpt"
    torch.save(detoxify_checkpoint(renamed, str(tiny_model.hf_dir)), path)
    with pytest.raises(ModelLoadError, match="missing from the checkpoint"):
        DetoxifyScorer(path, tiny_model.hf_dir, expected_sha256=sha256_file(path)).load()


def test_a_tokenizer_without_a_max_length_is_refused(tiny_model: TinyModel, tmp_path: Path) -> None:
    model = copy_model(tiny_model, tmp_path / "m")
    config_path = model.hf_dir / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    del config["model_max_length"]
    config_path.write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="model_max_length"):
        DetoxifyScorer(model.checkpoint, model.hf_dir, expected_sha256=sha256_file(model.checkpoint)).load()


@pytest.mark.parametrize("missing", ["checkpoint", "config.json", "tokenizer.json"])
def test_missing_files_make_the_model_unavailable(
    tiny_model: TinyModel, tmp_path: Path, missing: str
) -> None:
    model = copy_model(tiny_model, tmp_path / "m")
    (model.checkpoint if missing == "checkpoint" else model.hf_dir / missing).unlink()
    scorer = DetoxifyScorer(
        model.checkpoint, model.hf_dir, expected_sha256=sha256_file(tiny_model.checkpoint)
    )
    with pytest.raises(ModelUnavailable) as raised:
        scorer.load()
    assert type(raised.value) is ModelUnavailable
    assert missing.split(".")[0] in str(raised.value)


async def test_scoring_async_leaves_the_event_loop_free(
    tiny_model: TinyModel, tiny_sha256: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scorer = DetoxifyScorer(
        tiny_model.checkpoint, tiny_model.hf_dir, expected_sha256=tiny_sha256, batch_size=1
    )
    await scorer.load_async()
    loop_thread = threading.get_ident()
    in_forward_pass, loop_answered = threading.Event(), threading.Event()
    predict_threads: set[int] = set()
    answered_in_time: list[bool] = []
    real_predict = scorer.detoxify.predict

    def predict(chunk: list[str]) -> Any:
        predict_threads.add(threading.get_ident())
        if not in_forward_pass.is_set():
            in_forward_pass.set()
            # The first forward pass waits for the event loop to run another task: a blocked loop never
            # would (the timeout only turns that deadlock into a failure). Nothing is timed, so load cannot fail it.
            answered_in_time.append(loop_answered.wait(timeout=120))
        return real_predict(chunk)

    monkeypatch.setattr(scorer.detoxify, "predict", predict)

    async def answer_once_scoring_runs() -> None:
        while not in_forward_pass.is_set():
            await asyncio.sleep(0.01)
        loop_answered.set()

    texts = TEXTS * 2
    try:
        results, _ = await asyncio.gather(
            asyncio.gather(*(scorer.score_async(texts) for _ in range(3))), answer_once_scoring_runs()
        )
    finally:
        scorer.close()
    assert loop_thread not in predict_threads
    assert answered_in_time == [True]
    for rows in results:
        _assert_scores(rows, len(texts))
        assert rows == results[0]


def test_a_pre_zip_checkpoint_still_loads(tiny_model: TinyModel, tmp_path: Path) -> None:
    saved = torch.load(tiny_model.checkpoint, weights_only=False)
    legacy = tmp_path / "legacy.ckpt"
    torch.save(saved, legacy, _use_new_zipfile_serialization=False)  # cannot be memory-mapped
    scorer = DetoxifyScorer(legacy, tiny_model.hf_dir, expected_sha256=sha256_file(legacy))
    _assert_scores(scorer.score_batch(["Вечная память"]), 1)


def test_a_failed_load_is_not_retried_on_every_batch(tiny_model: TinyModel, tmp_path: Path) -> None:
    model = copy_model(tiny_model, tmp_path / "m")
    sha = sha256_file(model.checkpoint)
    model.checkpoint.rename(tmp_path / "aside.ckpt")
    scorer = DetoxifyScorer(model.checkpoint, model.hf_dir, expected_sha256=sha)
    with pytest.raises(ModelUnavailable):
        scorer.score_batch(["a"])
    (tmp_path / "aside.ckpt").rename(model.checkpoint)
    with pytest.raises(ModelUnavailable, match="not found"):  # the same failure, no second attempt
        scorer.score_batch(["a"])
    assert DetoxifyScorer(model.checkpoint, model.hf_dir, expected_sha256=sha).score_batch(["a"])
