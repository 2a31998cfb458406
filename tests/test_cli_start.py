"""The command line before there is anything: `vkbot run` without a community, read-only commands without
a database, and `--config` before or after the command."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vkbot.cli import main as vkbot
from vkbot.commands.common import EXIT_NO_DATABASE
from vkbot.core.store.db import make_engine, migrate

READ_ONLY = (
    ["status"],
    ["orders", "list"],
    ["orders", "show", "1"],
    ["quarantine", "list"],
    ["bans", "list"],
    ["reconcile"],
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("VKBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write_config(path: Path, db: Path, *, group_id: int = 1001, token: str = "t") -> Path:
    path.write_text(
        f'[vk]\ngroup_id = {group_id}\ntoken = "{token}"\n\n[storage]\ndatabase_url = "sqlite:///{db}"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(("group_id", "token", "key"), [(0, "t", "vk.group_id"), (1001, "", "vk.token")])
def test_run_refuses_to_start_without_a_community_or_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], group_id: int, token: str, key: str
) -> None:
    config = write_config(tmp_path / "vkbot.toml", tmp_path / "db.sqlite", group_id=group_id, token=token)
    assert vkbot(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"cannot start: {key}" in err
    assert not (tmp_path / "db.sqlite").exists()


def test_run_with_no_config_at_all_names_both_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert vkbot(["run"]) == 2
    err = capsys.readouterr().err
    assert "vk.group_id" in err and "vk.token" in err


@pytest.mark.parametrize("argv", READ_ONLY, ids=lambda a: " ".join(a))
def test_read_only_commands_never_create_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    db = tmp_path / "data" / "vkbot.db"
    config = write_config(tmp_path / "vkbot.toml", db)
    assert vkbot([*argv, "--config", str(config)]) == EXIT_NO_DATABASE
    err = capsys.readouterr().err
    assert f"no database at sqlite:///{db}" in err and f"from {config}" in err
    assert not db.exists() and not db.parent.exists()


def test_without_a_config_the_default_database_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert vkbot(["orders", "list"]) == EXIT_NO_DATABASE
    err = capsys.readouterr().err
    assert "no database at sqlite:///vkbot-data/vkbot.db" in err and "no --config given" in err
    assert not (tmp_path / "vkbot-data").exists()


def test_config_may_come_before_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "vkbot.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    engine.dispose()
    config = write_config(tmp_path / "vkbot.toml", db)
    assert vkbot(["--config", str(config), "orders", "list", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    assert vkbot(["orders", "list", "--json", "--config", str(config)]) == 0
    assert capsys.readouterr().out.strip() == "[]"
