"""Every text a user reads, per language (Russian first), loaded from ``i18n/locales/<lang>/*.toml``.

Keys are dotted (``intake.greeting``); a key missing in uk/en falls back to ru, a key missing in ru
is a bug and raises ``KeyError`` so tests catch it.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("ru", "uk", "en")
DEFAULT_LANGUAGE = "ru"

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "has", "text"]


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def _catalogue(lang: str) -> dict[str, str]:
    # One file per area (intake.toml, moderation.toml, ...) so areas never edit the same file.
    folder = resources.files("i18n").joinpath("locales", lang)
    merged: dict[str, str] = {}
    if folder.is_dir():
        for source in sorted(folder.iterdir(), key=lambda f: f.name):
            if source.name.endswith(".toml"):
                merged.update(_flatten(tomllib.loads(source.read_text(encoding="utf-8"))))
    return merged


def has(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    return key in _catalogue(lang) or key in _catalogue(DEFAULT_LANGUAGE)


def text(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """The text for ``key`` in ``lang`` with ``{name}`` fields filled from ``params``."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    template = _catalogue(lang).get(key)
    if template is None:
        template = _catalogue(DEFAULT_LANGUAGE)[key]
    return template.format(**params) if params else template


@cache
def button_labels() -> frozenset[str]:
    """Every keyboard button's label (a key with a ``button`` part) in every language, lower case: what
    VK delivers as the message's text when a relative taps one of our buttons."""
    return frozenset(
        label.strip().casefold()
        for lang in LANGUAGES
        for key, label in _catalogue(lang).items()
        if "button" in key.split(".")
    )
