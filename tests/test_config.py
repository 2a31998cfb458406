"""Configuration: the example documents every key and loads; errors name the key; the environment wins."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from vkbot.cli import main
from vkbot.config import Config, ConfigError, load_config

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def _keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        default = field.default
        if isinstance(default, BaseModel):
            keys |= _keys(type(default), f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def test_the_example_mentions_every_key_and_loads() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    section = ""
    mentioned: set[str] = set()
    for line in text.splitlines():
        stripped = line.lstrip("# ").strip()
        if stripped.startswith("[") and "]" in stripped:
            section = stripped[1 : stripped.index("]")]
            mentioned.add(section)  # a table such as [waitlist.price_text] documents that key
        elif "=" in stripped:
            mentioned.add(f"{section}.{stripped.split('=', 1)[0].strip()}")
    missing = {k for k in _keys(Config) if k not in mentioned}
    assert missing == set(), f"config.example.toml does not document: {sorted(missing)}"
    tomllib.loads(text)
    assert load_config(EXAMPLE, environ={}).vk.rate_per_s == 20


def test_an_error_names_the_key_and_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[vk]\nrate_per_s = "fast"\n[outbox]\nmax_attempts = 0\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(bad, environ={})
    joined = "\n".join(caught.value.problems)
    assert "vk.rate_per_s" in joined and "outbox.max_attempts" in joined


def test_the_environment_overrides_the_file_and_secrets_stay_hidden(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[vk]\ngroup_id = 5\n", encoding="utf-8")
    config = load_config(path, environ={"VKBOT_VK__GROUP_ID": "7", "VKBOT_VK__TOKEN": "s3cret-token"})
    assert config.vk.group_id == 7
    assert "s3cret-token" not in repr(config) and "s3cret-token" not in str(config.model_dump())


def test_a_secrets_file_outside_the_repo_provides_the_token(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[vk]\ntoken = "from-file"\n', encoding="utf-8")
    config = load_config(None, environ={"VKBOT_SECRETS__FILE": str(secrets)})
    assert config.vk.token.get_secret_value() == "from-file"


def test_check_config_names_missing_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    for name in ("VKBOT_VK__TOKEN", "VKBOT_VK__GROUP_ID"):
        monkeypatch.delenv(name, raising=False)
    assert main(["check-config", "--config", str(EXAMPLE)]) == 2
    out = capsys.readouterr().out
    assert "vk.group_id" in out and "vk.token" in out


def test_the_support_line_is_moderations_unless_the_waitlist_names_its_own(tmp_path: Path) -> None:
    one = tmp_path / "one.toml"
    one.write_text('[moderation]\nsupport_line = "112"\n', encoding="utf-8")
    assert load_config(one, environ={}).waitlist.support_line == "112"
    own = tmp_path / "own.toml"
    own.write_text('[moderation]\nsupport_line = "112"\n[waitlist]\nsupport_line = "911"\n', encoding="utf-8")
    assert load_config(own, environ={}).waitlist.support_line == "911"
