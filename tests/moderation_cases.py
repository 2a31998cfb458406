"""Shared by the blind-set family tests: a case decided as the pipeline would decide it ("C:" marks a comment)."""

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from moderation.policy import ModerationContext, decide
from moderation.settings import ModerationSettings

SETTINGS = ModerationSettings()


@pytest.fixture(scope="module")
def clf() -> OfflineClassifier:
    return OfflineClassifier()


def status(clf: OfflineClassifier, text: str, channel: str = "message") -> str:
    classification = clf.classify(text, channel)
    context = ModerationContext(
        "comment" if channel == "comment" else "message",
        has_order_content=classification.has_order_words,  # the policy ignores it for a comment
    )
    return decide(classification, context, SETTINGS).status


def hidden(clf: OfflineClassifier, case: str) -> bool:
    channel, text = ("comment", case[2:]) if case.startswith("C:") else ("message", case)
    return status(clf, text, channel) == "quarantined"


def check(clf: OfflineClassifier, case: str, should_hide: bool) -> None:
    text = case[2:] if case.startswith("C:") else case
    assert hidden(clf, case) == should_hide, clf.classify(text)
