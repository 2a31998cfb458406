"""The Detoxify tier: scores messages with a locally prepared Detoxify multilingual checkpoint.

Loading runs pickle (``torch.load(weights_only=False)``), so the scorer only loads a checkpoint whose
SHA-256 matches the expected one (given, or recorded by ``vkbot moderation fetch-model`` in
``model.lock.json``). It never reaches the network: the checkpoint's ``model_type`` must be a local
directory (Detoxify 0.5.4 otherwise asks the HF hub for a config, see shared/docs/toxicity.md 2.3).

Errors: ``ModelUnavailable`` (files missing, torch absent) and its subclass ``ModelLoadError`` (the
files exist but are wrong: checksum, labels, weights, tokenizer). Either way the caller runs the
offline rules tier alone and logs a warning once.

Only the standard library is imported here at module level; torch, transformers and detoxify (the
``ml`` extra) are imported by ``load()``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "LABELS",
    "DetoxifyScorer",
    "MlScorer",
    "ModelLoadError",
    "ModelUnavailable",
    "sha256_file",
]

# The seven labels the multilingual checkpoint reports (its head has 9 more identity outputs).
LABELS: tuple[str, ...] = (
    "toxicity",
    "severe_toxicity",
    "obscene",
    "identity_attack",
    "insult",
    "threat",
    "sexual_explicit",
)
ARCH_ARGS = frozenset({"model_type", "model_name", "tokenizer_name", "num_classes"})
HEAD_KEY = "classifier.out_proj.weight"
# Tokenising a megabyte of text just to keep 512 tokens wastes time; no token is shorter than a char.
MAX_CHARS = 20_000


class ModelUnavailable(RuntimeError):
    """The Detoxify model cannot be used here (files or packages missing); run rules only."""


class ModelLoadError(ModelUnavailable):
    """The model files exist but are not the prepared, verified model they should be."""


@runtime_checkable
class MlScorer(Protocol):
    """What the policy needs from an ML tier: per text, a score in [0, 1] for each of ``LABELS``."""

    def score_batch(self, texts: list[str]) -> list[dict[str, float]]: ...


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks (the real checkpoint is 1.1 GB)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


class DetoxifyScorer:
    """Detoxify multilingual from local files, loaded lazily, used by one thread at a time."""

    def __init__(
        self,
        checkpoint: Path,
        hf_dir: Path,
        expected_sha256: str | None = None,
        device: str = "cpu",
        threads: int | None = None,
        batch_size: int = 16,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.checkpoint = Path(checkpoint)
        self.hf_dir = Path(hf_dir)
        self.expected_sha256 = expected_sha256.lower() if expected_sha256 else None
        self.device = device
        self.threads = threads
        self.batch_size = batch_size
        self._detoxify: Any = None
        self._failure: ModelUnavailable | None = None
        self._lock = threading.RLock()  # guards loading and every forward pass
        # One worker: the async path never runs two forward passes at once and never blocks the loop.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="detoxify")

    @property
    def loaded(self) -> bool:
        return self._detoxify is not None

    @property
    def detoxify(self) -> Any:
        """The loaded ``detoxify.Detoxify`` instance (loads it first)."""
        self.load()
        return self._detoxify

    def load(self) -> None:
        """Verify and load the model once; raises ``ModelUnavailable`` or ``ModelLoadError``.

        A failure is remembered and raised again without retrying (each try hashes 1.1 GB); a scorer
        made after the files are fixed (e.g. at restart) tries afresh.
        """
        with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._detoxify is not None:
                return
            try:
                self._detoxify = self._load()
            except ModelUnavailable as exc:
                self._failure = exc
                raise

    def _load(self) -> Any:
        self._check_files()
        expected = self.expected_sha256 or _recorded_sha256(self.checkpoint)
        if expected is None:
            raise ModelLoadError(
                f"no expected SHA-256 for {self.checkpoint}: pass expected_sha256 or prepare the model "
                "with `vkbot moderation fetch-model` (it records the hash in model.lock.json)"
            )
        before = _verify_sha256(self.checkpoint, expected)
        torch, detoxify_cls = _import_ml(self.threads)
        saved = _preflight(torch, self.checkpoint, self.hf_dir)
        try:
            model = detoxify_cls(
                checkpoint=str(self.checkpoint), device=self.device, huggingface_config_path=str(self.hf_dir)
            )
        except Exception as exc:  # transformers raises OSError, RuntimeError, ValueError, TypeError...
            raise ModelLoadError(f"Detoxify could not load {self.checkpoint}: {exc}") from exc
        _check_loaded(torch, model, saved, self.checkpoint)
        if _identity(self.checkpoint) != before:
            raise ModelLoadError(f"{self.checkpoint} changed while it was being loaded")
        return model

    def score_batch(self, texts: list[str]) -> list[dict[str, float]]:
        """Scores for each text, in order; loads the model on first use."""
        if not texts:
            return []
        with self._lock:
            self.load()
            rows: list[dict[str, float]] = []
            for start in range(0, len(texts), self.batch_size):
                chunk = [text[:MAX_CHARS] for text in texts[start : start + self.batch_size]]
                rows.extend(_rows(self._detoxify.predict(chunk), len(chunk)))
            return rows

    async def score_async(self, texts: list[str]) -> list[dict[str, float]]:
        """``score_batch`` in the scorer's single worker thread, off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.score_batch, list(texts))

    async def load_async(self) -> None:
        """``load`` in the worker thread, e.g. at start-up to fail early and warm the model."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self.load)

    def close(self) -> None:
        """Stop the worker thread (waits for a running batch)."""
        self._executor.shutdown(wait=True)

    def _check_files(self) -> None:
        if not self.checkpoint.is_file():
            raise ModelUnavailable(f"Detoxify checkpoint not found: {self.checkpoint}")
        if not (self.hf_dir / "config.json").is_file():
            raise ModelUnavailable(f"no config.json in the Detoxify HF directory {self.hf_dir}")
        if not any((self.hf_dir / name).is_file() for name in ("tokenizer.json", "sentencepiece.bpe.model")):
            raise ModelUnavailable(f"no tokenizer.json or sentencepiece.bpe.model in {self.hf_dir}")


def _recorded_sha256(checkpoint: Path) -> str | None:
    from moderation.provision import recorded_sha256  # provision imports this module, hence lazily

    return recorded_sha256(checkpoint)


def _identity(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def _verify_sha256(path: Path, expected: str) -> tuple[int, int, int]:
    """Refuse before any pickle runs unless the file hashes to ``expected``; returns its identity."""
    before = _identity(path)
    actual = sha256_file(path)
    if actual != expected.lower():
        raise ModelLoadError(
            f"refusing to load {path}: SHA-256 {actual} differs from the expected {expected}; "
            "loading runs pickle, so only the prepared file may be loaded"
        )
    return before


def _import_ml(threads: int | None) -> tuple[Any, Any]:
    # huggingface_hub reads these when first imported: set them before transformers comes in.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        import torch
        import transformers
        from detoxify import Detoxify
    except ImportError as exc:
        raise ModelUnavailable(f"the ml extra is not installed ({exc.name} missing)") from exc
    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # v5 prints a bar and LOAD REPORT tables to stderr
    transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # untyped in transformers
    if threads:
        torch.set_num_threads(threads)
    return torch, Detoxify


def _preflight(torch: Any, checkpoint: Path, hf_dir: Path) -> dict[str, Any]:
    """Check the checkpoint's config against the HF dir before Detoxify runs; returns the saved tensors."""
    try:  # mmap: tensors stay on disk until compared; only the (verified) pickle is read
        loaded = torch.load(str(checkpoint), map_location="cpu", mmap=True, weights_only=False)
    except RuntimeError:  # a pre-zip (torch < 1.6) file cannot be mapped; fetch-model re-saves as zip
        loaded = _load_fully(torch, checkpoint)
    except Exception as exc:
        raise ModelLoadError(f"{checkpoint} is not a torch checkpoint: {exc}") from exc
    if not isinstance(loaded, dict) or "config" not in loaded or "state_dict" not in loaded:
        raise ModelLoadError(f"{checkpoint} lacks the 'config' and 'state_dict' Detoxify needs")
    try:
        args = dict(loaded["config"]["arch"]["args"])
        classes = list(loaded["config"]["dataset"]["args"]["classes"])
    except (KeyError, TypeError) as exc:
        raise ModelLoadError(f"{checkpoint} has no config.arch.args / config.dataset.args.classes") from exc
    if set(args) != ARCH_ARGS:
        raise ModelLoadError(
            f"{checkpoint}: config.arch.args must hold exactly {sorted(ARCH_ARGS)}, has {sorted(args)}"
        )
    if not Path(str(args["model_type"])).is_dir():
        raise ModelLoadError(
            f"{checkpoint}: model_type {args['model_type']!r} is not a local directory, so Detoxify would ask "
            "the Hugging Face hub for it; prepare the model with `vkbot moderation fetch-model` "
            "(re-run it if the model directory was moved)"
        )
    missing_labels = set(LABELS) - {_standard_name(name) for name in classes}
    if missing_labels:
        raise ModelLoadError(f"{checkpoint} does not report the labels {sorted(missing_labels)}")
    state_dict: dict[str, Any] = loaded["state_dict"]
    if HEAD_KEY not in state_dict:
        raise ModelLoadError(f"{checkpoint}: no {HEAD_KEY} in the state_dict (not an XLM-R classifier?)")
    head, configured = state_dict[HEAD_KEY].shape[0], _config_labels(hf_dir / "config.json")
    if head != configured:
        raise ModelLoadError(
            f"{hf_dir / 'config.json'} has {configured} labels but the checkpoint head has {head}; "
            "re-run `vkbot moderation fetch-model` to rewrite it"
        )
    return state_dict


def _load_fully(torch: Any, checkpoint: Path) -> Any:
    try:
        return torch.load(str(checkpoint), map_location="cpu", weights_only=False)
    except Exception as exc:
        raise ModelLoadError(f"{checkpoint} is not a torch checkpoint: {exc}") from exc


def _standard_name(name: str) -> str:
    # Detoxify renames these three when it loads; see load_checkpoint in detoxify 0.5.4.
    return {"toxic": "toxicity", "identity_hate": "identity_attack", "severe_toxic": "severe_toxicity"}.get(
        name, name
    )


def _config_labels(config_json: Path) -> int:
    config = json.loads(config_json.read_text(encoding="utf-8"))
    if config.get("id2label"):
        return len(config["id2label"])
    return int(config.get("num_labels", 2))  # transformers' default when neither is given


def _check_loaded(torch: Any, model: Any, saved: dict[str, Any], checkpoint: Path) -> None:
    """Transformers 5 loads mismatched key names "successfully" with random weights: catch that here."""
    live = model.model.state_dict()
    # Parameters only: buffers such as position_ids are rebuilt by the model and absent from old files.
    missing = sorted(key for key, _ in model.model.named_parameters() if key not in saved)
    if missing:
        raise ModelLoadError(
            f"{checkpoint}: {len(missing)} model weights are missing from the checkpoint "
            f"(e.g. {missing[:3]}); the model would run with random weights"
        )
    differing = [
        key for key, tensor in live.items() if key in saved and not torch.equal(tensor.cpu(), saved[key])
    ]
    if differing:
        raise ModelLoadError(
            f"{checkpoint}: loaded weights differ from the saved ones (e.g. {differing[:3]})"
        )
    limit = model.model.config.max_position_embeddings - 2  # XLM-R positions start after padding_idx
    if model.tokenizer.model_max_length > limit:
        raise ModelLoadError(
            f"tokenizer model_max_length is {model.tokenizer.model_max_length}, above the model's {limit}: "
            "long messages would crash; set model_max_length in tokenizer_config.json (fetch-model does)"
        )


def _rows(predicted: dict[str, Any], count: int) -> list[dict[str, float]]:
    # Detoxify squeezes its output, so a one-text list comes back as floats rather than lists.
    columns = {label: predicted[label] if count > 1 else [predicted[label]] for label in LABELS}
    return [{label: float(columns[label][i]) for label in LABELS} for i in range(count)]
