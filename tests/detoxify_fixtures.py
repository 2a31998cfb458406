"""Session fixtures for the Detoxify tests: the tiny model, built once per run (about 3 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_detoxify import TinyModel, build_tiny_detoxify

_BUILT: dict[Path, TinyModel] = {}


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> TinyModel:
    """A tiny random Detoxify checkpoint whose model_type points at its local HF dir."""
    # Each test module imports this fixture, which makes a separate fixture per module: build once.
    root = tmp_path_factory.getbasetemp() / "tiny-detoxify"
    if root not in _BUILT:
        _BUILT[root] = build_tiny_detoxify(root)
    return _BUILT[root]


@pytest.fixture(scope="session")
def tiny_sha256(tiny_model: TinyModel) -> str:
    from moderation.detoxify_tier import sha256_file

    return sha256_file(tiny_model.checkpoint)


def copy_model(model: TinyModel, dest: Path) -> TinyModel:
    """A copy of ``model`` under ``dest`` that a test may spoil; model_type still names the original dir."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(model.hf_dir, dest / "hf")
    shutil.copy2(model.checkpoint, dest / model.checkpoint.name)
    return TinyModel(checkpoint=dest / model.checkpoint.name, hf_dir=dest / "hf")
