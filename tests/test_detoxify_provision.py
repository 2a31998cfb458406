"""Provisioning (``fetch-model``) end to end, offline: a local HTTP "release" serves a tiny checkpoint."""

from __future__ import annotations

import functools
import io
import json
import shutil
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("detoxify")
pytestmark = pytest.mark.ml

import torch  # noqa: E402

from moderation.detoxify_tier import LABELS, DetoxifyScorer, ModelUnavailable, sha256_file  # noqa: E402
from moderation.provision import (  # noqa: E402
    LOCK_NAME,
    PreparedModel,
    ProvisionError,
    fetch_model,
    load_prepared,
    run_fetch_model,
)
from tests.tiny_detoxify import build_tiny_detoxify  # noqa: E402


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder like the upstream release: checkpoints with a hub-name model_type, and a stock HF dir."""
    root = tmp_path_factory.mktemp("release")
    for seed, (name, folder) in enumerate((("first", "a"), ("second", "b"))):
        # Like the real checkpoint: model_type is the hub name, config.json has the stock 2 labels.
        model = build_tiny_detoxify(
            root / folder, model_type="xlm-roberta-base", num_labels_in_config=2, seed=seed
        )
        sha = sha256_file(model.checkpoint)
        shutil.copy(model.checkpoint, root / f"{name}-{sha[:8]}.ckpt")
        shutil.copy(model.checkpoint, root / f"{name}-{'0' * 8}.ckpt")  # a wrong prefix
    hf = root / "a" / "hf"
    tokenizer_config = json.loads((hf / "tokenizer_config.json").read_text())
    del tokenizer_config["model_max_length"]  # the stock file sets none: truncation must be added
    (hf / "tokenizer_config.json").write_text(json.dumps(tokenizer_config))
    yield root


@pytest.fixture(scope="module")
def server(release: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(release))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _url(server: str, release: Path, name: str, *, wrong_prefix: bool = False) -> str:
    candidates = sorted(p.name for p in release.glob(f"{name}-*.ckpt"))
    chosen = [c for c in candidates if c.endswith("-00000000.ckpt") == wrong_prefix]
    return f"{server}/{chosen[0]}"


class _HfFetch:
    """Stands in for huggingface_hub: copies the stock-like HF files and records what was asked."""

    def __init__(self, release: Path) -> None:
        self.source = release / "a" / "hf"
        self.calls: list[str] = []

    def __call__(self, repo_id: str, dest: Path) -> None:
        self.calls.append(repo_id)
        for path in self.source.iterdir():
            shutil.copy(path, dest / path.name)


def test_a_model_is_downloaded_verified_prepared_and_scores(
    server: str, release: Path, tmp_path: Path
) -> None:
    url = _url(server, release, "first")
    hf_fetch = _HfFetch(release)
    model = fetch_model(tmp_path / "model", url=url, hf_fetch=hf_fetch)

    assert hf_fetch.calls == ["FacebookAI/xlm-roberta-base"]
    lock = json.loads((tmp_path / "model" / LOCK_NAME).read_text())
    assert lock["source"]["sha256"] == sha256_file(release / url.rsplit("/", 1)[1])
    assert lock["prepared"]["sha256"] == sha256_file(model.checkpoint) == model.sha256
    assert not (tmp_path / "model" / url.rsplit("/", 1)[1]).exists()  # the raw download is not kept
    config = json.loads((model.hf_dir / "config.json").read_text())
    assert len(config["id2label"]) == 16  # from the checkpoint head, not the stock 2
    assert json.loads((model.hf_dir / "tokenizer_config.json").read_text())["model_max_length"] == 128
    prepared = torch.load(model.checkpoint, weights_only=False)
    assert prepared["config"]["arch"]["args"]["model_type"] == str(model.hf_dir)

    assert load_prepared(tmp_path / "model") == model
    # The settings side names paths only; the scorer takes the hash from model.lock.json beside them.
    by_path = DetoxifyScorer(
        tmp_path / "model/detoxify-multilingual.ckpt", tmp_path / "model/xlm-roberta-base"
    )
    by_path.load()
    assert by_path.loaded
    scorer = model.scorer(batch_size=4)
    rows = scorer.score_batch(["Вечная память", "You are an idiot", "x " * 1000])
    assert [list(row) for row in rows] == [list(LABELS)] * 3
    scorer.close()


def test_a_name_prefix_that_does_not_match_the_file_is_refused(
    server: str, release: Path, tmp_path: Path
) -> None:
    target = tmp_path / "model"
    with pytest.raises(ProvisionError, match="does not start with 00000000"):
        fetch_model(target, url=_url(server, release, "first", wrong_prefix=True), hf_fetch=_HfFetch(release))
    assert sorted(p.name for p in target.iterdir()) == []  # nothing recorded, no partial file left


def test_a_url_without_a_checksum_prefix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProvisionError, match="no 8-hex checksum prefix"):
        fetch_model(tmp_path, url="https://example.invalid/model.ckpt", downloader=_never, hf_fetch=_never)


def _never(url: str, dest: Path) -> None:
    raise AssertionError(f"nothing should be fetched, got {url}")


def test_a_later_download_with_another_sha_is_refused(server: str, release: Path, tmp_path: Path) -> None:
    target = tmp_path / "model"
    first = fetch_model(target, url=_url(server, release, "first"), hf_fetch=_HfFetch(release))
    before = sha256_file(first.checkpoint)
    # Same release name, other bytes: what a replaced upstream file or a tampered mirror looks like.
    other = release / "b" / "tiny.ckpt"

    def tampered(url: str, dest: Path) -> None:
        shutil.copy(other, dest)

    other_url = f"{server}/first-{sha256_file(other)[:8]}.ckpt"
    with pytest.raises(ProvisionError, match=r"differs from the .* recorded"):
        fetch_model(target, url=other_url, downloader=tampered, hf_fetch=_HfFetch(release))
    assert sha256_file(first.checkpoint) == before
    assert load_prepared(target) == first
    assert not list(target.glob("*.part"))


def test_fetching_the_same_file_again_prepares_it_again(server: str, release: Path, tmp_path: Path) -> None:
    target = tmp_path / "model"
    url = _url(server, release, "first")
    first = fetch_model(target, url=url, hf_fetch=_HfFetch(release))
    second = fetch_model(target, url=url, hf_fetch=_HfFetch(release))
    assert second == first


def test_a_directory_without_a_prepared_model_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="fetch-model"):
        load_prepared(tmp_path)


def test_the_command_reports_a_refusal_with_status_1(server: str, release: Path, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = run_fetch_model(
        tmp_path, url=_url(server, release, "first", wrong_prefix=True), out=out, err=err
    )
    assert status == 1
    assert "does not start with 00000000" in err.getvalue()
    assert out.getvalue() == ""


def test_prepared_model_is_a_plain_value() -> None:
    model = PreparedModel(Path("c"), Path("h"), "s", "u", "t")
    assert model.scorer(batch_size=3).batch_size == 3


def test_without_the_ml_extra_nothing_is_downloaded_and_status_is_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)  # how a missing package looks to find_spec
    err = io.StringIO()
    status = run_fetch_model(tmp_path / "model", url="file:///nonexistent/m-0b549669.ckpt", err=err)
    assert status == 2
    assert "huggingface_hub" in err.getvalue() and "ml" in err.getvalue()
    assert not (tmp_path / "model").exists()
