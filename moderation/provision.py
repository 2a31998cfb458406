"""Provisioning of the Detoxify multilingual model: download once, verify, prepare a local copy.

Run where there is internet (``vkbot moderation fetch-model --dir DIR``), never on the message path.
Steps, from shared/docs/toxicity.md 4.2:

1. download the checkpoint (streamed to a temporary file) and check that its SHA-256 starts with the
   8 hex digits in its file name, the only hash upstream publishes;
2. record the full SHA-256 in ``DIR/model.lock.json`` (trust on first use) and refuse any later
   download whose hash differs;
3. fetch xlm-roberta-base's config and tokenizer files into ``DIR/xlm-roberta-base``;
4. rewrite ``config.json`` with the checkpoint head's label count and set ``model_max_length``, so
   truncation works (without it a message over 512 tokens crashes the model);
5. point the checkpoint's ``model_type`` at that directory (else Detoxify 0.5.4 asks the HF hub for a
   config even offline) and save it as ``DIR/detoxify-multilingual.ckpt``, recording its SHA-256,
   which the loader checks (``DetoxifyScorer`` finds it in ``model.lock.json`` beside the file).

The downloaded file is unpickled once, in step 4, after its prefix check; it is deleted once the
prepared copy exists. Downloads are injectable so tests run all of this offline.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import shutil
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlparse

from moderation.detoxify_tier import ARCH_ARGS, HEAD_KEY, DetoxifyScorer, ModelUnavailable, sha256_file

__all__ = [
    "MULTILINGUAL_URL",
    "PreparedModel",
    "ProvisionError",
    "fetch_model",
    "load_prepared",
    "recorded_sha256",
    "run_fetch_model",
]

log = logging.getLogger("moderation.provision")

MULTILINGUAL_URL = (
    "https://github.com/unitaryai/detoxify/releases/download/v0.4-alpha/multilingual_debiased-0b549669.ckpt"
)
HF_REPO = "FacebookAI/xlm-roberta-base"
# Both tokenizer formats: transformers 4 reads the SentencePiece model, 5 prefers tokenizer.json.
HF_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "sentencepiece.bpe.model")
LOCK_NAME = "model.lock.json"
# Names match ModerationSettings' defaults (ml_checkpoint, ml_hf_dir) for DIR = vkbot-data/models.
PREPARED_NAME = "detoxify-multilingual.ckpt"
HF_DIRNAME = "xlm-roberta-base"
MAX_TOKENS = 512
_PREFIX = re.compile(r"-([0-9a-f]{8})\.[A-Za-z0-9]+$")

Downloader = Callable[[str, Path], None]


class ProvisionError(RuntimeError):
    """The model could not be provisioned; the message says which step and why."""


@dataclass(frozen=True)
class PreparedModel:
    """A prepared model on disk, as recorded in its ``model.lock.json``."""

    checkpoint: Path
    hf_dir: Path
    sha256: str
    source_url: str
    source_sha256: str

    def scorer(self, **options: Any) -> DetoxifyScorer:
        """A scorer for this model (``options``: device, threads, batch_size)."""
        return DetoxifyScorer(self.checkpoint, self.hf_dir, expected_sha256=self.sha256, **options)


def load_prepared(target_dir: Path) -> PreparedModel:
    """The model prepared in ``target_dir``; ``ModelUnavailable`` if there is none."""
    lock = _read_lock(Path(target_dir))
    if "prepared" not in lock:
        raise ModelUnavailable(
            f"no prepared Detoxify model in {target_dir}: run `vkbot moderation fetch-model`"
        )
    return _prepared_from(Path(target_dir), lock)


def recorded_sha256(checkpoint: Path) -> str | None:
    """The SHA-256 that ``model.lock.json`` beside ``checkpoint`` records for it, if any."""
    prepared = _read_lock(checkpoint.parent).get("prepared", {})
    return str(prepared["sha256"]) if prepared.get("file") == checkpoint.name else None


def fetch_model(
    target_dir: Path,
    *,
    url: str = MULTILINGUAL_URL,
    downloader: Downloader | None = None,
    hf_fetch: Downloader | None = None,
) -> PreparedModel:
    """Download, verify and prepare the model in ``target_dir``; ``hf_fetch(repo_id, dest_dir)``."""
    _require(("torch", "transformers", "detoxify") + (() if hf_fetch else ("huggingface_hub",)))
    target_dir = Path(target_dir).resolve()
    target_dir.mkdir(parents=True, exist_ok=True)
    lock = _read_lock(target_dir)
    raw = _download_verified(url, target_dir, lock, downloader or download_url)
    lock["source"] = {"url": url, "file": raw.path.name, "sha256": raw.sha256}
    _write_json(target_dir / LOCK_NAME, lock)  # recorded at once: a later, different download is refused
    hf_dir = target_dir / HF_DIRNAME
    try:
        _fetch_hf_files(hf_dir, hf_fetch or fetch_hf_files)
        prepared = target_dir / PREPARED_NAME
        _prepare(raw.path, hf_dir, prepared)
        lock.update(
            prepared={"file": prepared.name, "sha256": sha256_file(prepared)},
            hf={"repo": HF_REPO, "dir": HF_DIRNAME, "files": _hashes(hf_dir)},
        )
        _write_json(target_dir / LOCK_NAME, lock)
    finally:
        raw.path.unlink(missing_ok=True)
    model = _prepared_from(target_dir, lock)
    model.scorer().load()  # proves the prepared files load offline before anyone relies on them
    return model


def run_fetch_model(
    target_dir: Path,
    *,
    url: str = MULTILINGUAL_URL,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """CLI body of ``vkbot moderation fetch-model``: 0 done, 1 refused or failed, 2 ml extra missing."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        model = fetch_model(target_dir, url=url)
    except ImportError as exc:
        print(f"fetch-model needs the ml extra ({exc.name} is missing): pip install '.[ml]'", file=err)
        return 2
    except (ProvisionError, ModelUnavailable, OSError) as exc:
        print(f"fetch-model failed: {exc}", file=err)
        return 1
    except Exception as exc:  # hub or torch errors: the command's edge, report them and exit non-zero
        log.debug("fetch-model failed", exc_info=True)
        print(f"fetch-model failed: {type(exc).__name__}: {exc}", file=err)
        return 1
    print(f"checkpoint  {model.checkpoint}", file=out)
    print(f"sha256      {model.sha256}", file=out)
    print(f"hf dir      {model.hf_dir}", file=out)
    print(f"source      {model.source_url} (sha256 {model.source_sha256})", file=out)
    return 0


def download_url(url: str, dest: Path) -> None:
    """Stream ``url`` into ``dest`` (urllib: https, and file:// in tests)."""
    with urllib.request.urlopen(url, timeout=60) as response, dest.open("wb") as fh:
        shutil.copyfileobj(response, fh, length=1 << 20)


def fetch_hf_files(repo_id: str, dest: Path) -> None:
    """Fetch the config and tokenizer files of ``repo_id`` into ``dest`` (needs huggingface_hub)."""
    from huggingface_hub import snapshot_download

    snapshot_download(repo_id, local_dir=dest, allow_patterns=list(HF_FILES))


def _require(modules: tuple[str, ...]) -> None:
    """Fail before a 1.1 GB download, not after it, when the ml extra is missing."""
    for name in modules:
        if importlib.util.find_spec(name) is None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


@dataclass(frozen=True)
class _Download:
    path: Path
    sha256: str


def _download_verified(url: str, target_dir: Path, lock: dict[str, Any], downloader: Downloader) -> _Download:
    name = Path(urlparse(url).path).name
    match = _PREFIX.search(name)
    if match is None:
        raise ProvisionError(
            f"{name!r} carries no 8-hex checksum prefix (like '-0b549669.ckpt'); refusing it"
        )
    final, partial = target_dir / name, target_dir / (name + ".part")
    log.info("downloading %s", url)
    try:
        downloader(url, partial)
        digest = sha256_file(partial)
        if not digest.startswith(match.group(1)):
            raise ProvisionError(
                f"{name}: SHA-256 {digest} does not start with {match.group(1)}; refusing it"
            )
        recorded = lock.get("source", {}).get("sha256")
        if recorded and recorded != digest:
            raise ProvisionError(
                f"{name}: SHA-256 {digest} differs from the {recorded} recorded in {target_dir / LOCK_NAME} "
                f"(from {lock['source'].get('url')}); refusing it. Delete the lock file only if the change is known"
            )
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return _Download(final, digest)


def _fetch_hf_files(hf_dir: Path, hf_fetch: Downloader) -> None:
    hf_dir.mkdir(parents=True, exist_ok=True)
    hf_fetch(HF_REPO, hf_dir)
    if not (hf_dir / "config.json").is_file():
        raise ProvisionError(f"{HF_REPO}: config.json did not arrive in {hf_dir}")
    if not any((hf_dir / name).is_file() for name in ("tokenizer.json", "sentencepiece.bpe.model")):
        raise ProvisionError(f"{HF_REPO}: no tokenizer.json or sentencepiece.bpe.model arrived in {hf_dir}")


def _prepare(raw: Path, hf_dir: Path, prepared: Path) -> None:
    """Fit config.json to the checkpoint head and point the checkpoint at ``hf_dir``."""
    import torch

    # Pickle: this file passed its name's checksum prefix and, on later runs, the lock's full hash.
    ckpt = torch.load(str(raw), map_location="cpu", weights_only=False)
    try:
        head = int(ckpt["state_dict"][HEAD_KEY].shape[0])
        args = ckpt["config"]["arch"]["args"]
    except (KeyError, TypeError) as exc:
        raise ProvisionError(f"{raw.name} is not a Detoxify XLM-R checkpoint (no {exc})") from exc
    max_positions = _rewrite_config(hf_dir / "config.json", head)
    _set_max_length(hf_dir / "tokenizer_config.json", min(MAX_TOKENS, max_positions - 2))
    # Exactly the four keys get_model_and_tokenizer accepts: an extra one is a TypeError in 0.5.4.
    ckpt["config"]["arch"]["args"] = {key: args[key] for key in ARCH_ARGS} | {"model_type": str(hf_dir)}
    partial = prepared.with_name(prepared.name + ".part")
    torch.save(ckpt, partial)
    os.replace(partial, prepared)


def _rewrite_config(config_json: Path, labels: int) -> int:
    """Set the label count (as transformers writes it); returns max_position_embeddings."""
    config = json.loads(config_json.read_text(encoding="utf-8"))
    config["id2label"] = {str(i): f"LABEL_{i}" for i in range(labels)}
    config["label2id"] = {f"LABEL_{i}": i for i in range(labels)}
    for stale in ("num_labels", "_num_labels"):  # would contradict id2label
        config.pop(stale, None)
    _write_json(config_json, config)
    return int(config.get("max_position_embeddings", MAX_TOKENS + 2))


def _set_max_length(tokenizer_config: Path, max_length: int) -> None:
    config: dict[str, Any] = {}
    if tokenizer_config.is_file():
        config = json.loads(tokenizer_config.read_text(encoding="utf-8"))
    config["model_max_length"] = max_length
    _write_json(tokenizer_config, config)


def _hashes(hf_dir: Path) -> dict[str, str]:
    return {name: sha256_file(hf_dir / name) for name in HF_FILES if (hf_dir / name).is_file()}


def _prepared_from(target_dir: Path, lock: dict[str, Any]) -> PreparedModel:
    return PreparedModel(
        checkpoint=target_dir / lock["prepared"]["file"],
        hf_dir=target_dir / lock.get("hf", {}).get("dir", HF_DIRNAME),
        sha256=lock["prepared"]["sha256"],
        source_url=lock["source"]["url"],
        source_sha256=lock["source"]["sha256"],
    )


def _read_lock(target_dir: Path) -> dict[str, Any]:
    path = target_dir / LOCK_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelUnavailable(f"{path} is not valid JSON: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
