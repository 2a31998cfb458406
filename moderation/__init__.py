"""Toxicity classification and the policy that keeps abuse out of the founder's sight."""

from moderation.classifier import (
    ABUSE_CATEGORIES,
    Classification,
    Classifier,
    OfflineClassifier,
    Signal,
)
from moderation.evaluation import EvalItem, EvalReport, evaluate, load_items
from moderation.normalize import Normalized, Normalizer
from moderation.policy import ModerationContext, Verdict, decide
from moderation.settings import ModerationSettings

__all__ = [
    "ABUSE_CATEGORIES",
    "Classification",
    "Classifier",
    "EvalItem",
    "EvalReport",
    "ModerationContext",
    "ModerationSettings",
    "Normalized",
    "Normalizer",
    "OfflineClassifier",
    "Signal",
    "Verdict",
    "decide",
    "evaluate",
    "load_items",
]
