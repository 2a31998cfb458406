"""The publishing package's public surface is pinned, and the domain never reaches into vkbot."""

from __future__ import annotations

import ast
from pathlib import Path

import i18n
import publishing

PACKAGE = Path(publishing.__file__).parent


def test_public_surface_is_pinned() -> None:
    assert sorted(publishing.__all__) == [
        "Clock",
        "DeletePost",
        "Effect",
        "HandToFounder",
        "PubPost",
        "Publication",
        "PublishClip",
        "PublishingSettings",
        "SwitchComments",
        "answer",
        "guid_for",
        "handed_to_founder",
        "next_free_slot",
        "peers_asked",
        "plan",
        "publication_for",
        "record_handed_to_founder",
        "record_posted",
        "record_takedown_handed_to_founder",
        "record_video",
        "takedowns_for_founder",
    ]


def test_the_domain_never_imports_vkbot() -> None:
    for source in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "vkbot" or n.startswith("vkbot.") for n in names), source.name


def test_every_text_exists_in_every_language_with_the_same_fields() -> None:
    keys = [
        "publishing.caption",
        "publishing.caption_unnamed",
        "publishing.title",
        "publishing.title_unnamed",
        "publishing.handoff.post",
        "publishing.handoff.delete",
        "publishing.handoff.revoked",
    ]
    for key in keys:
        fields = {lang: _fields(i18n._catalogue(lang)[key]) for lang in i18n.LANGUAGES}
        assert len(set(map(frozenset, fields.values()))) == 1, (key, fields)


def _fields(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
