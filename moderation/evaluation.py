"""Score the classifier and policy on a labelled JSONL file: recall, false-positive rates, tables.

An item counts as hidden only when the verdict is ``quarantined``. Eval items have no conversation,
so every item is judged with ``protected=False``; ``has_order_content`` comes from the order words
in the item's own text of a private message (never of a wall comment), as the intake would see them (an order is never abusive, and the first
message of an order has no protected conversation yet). The classifier sees only text and channel.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.classifier import ABUSE_CATEGORIES, Classification, Classifier
from moderation.policy import Channel, LearnedScore, ModerationContext, Verdict, decide
from moderation.relative import with_guards
from moderation.settings import ModerationSettings

GRIEF_CATEGORIES = ("order", "order_followup", "question")
CIVIL_CATEGORY = "civil_criticism"
CONTEXT_NOTE = (
    "context assumed: protected=False (items have no conversation); has_order_content from order "
    "words in the text; hidden = quarantined"
)
MlScores = Callable[[list[str]], list[dict[str, float]]]
Learned = Callable[[str], LearnedScore]
TIERS = ("rules", "learned", "all")


@dataclass(frozen=True, slots=True)
class EvalItem:
    id: str
    text: str
    lang: str
    channel: str
    label: str  # "abusive" | "ok"
    category: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ScoredItem:
    item: EvalItem
    verdict: Verdict

    @property
    def hidden(self) -> bool:
        return self.verdict.status == "quarantined"

    @property
    def reviewed(self) -> bool:
        """Hidden, or shown marked for her review."""
        return self.verdict.status != "ok"

    @property
    def correct(self) -> bool:
        return self.hidden == (self.item.label == "abusive")


def load_items(path: Path) -> list[EvalItem]:
    """Read a labelled JSONL file; errors name the line."""
    items: list[EvalItem] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            items.append(
                EvalItem(
                    id=str(raw.get("id", f"line-{number}")),
                    text=str(raw["text"]),
                    lang=str(raw.get("lang", "?")),
                    channel=str(raw.get("channel", "message")),
                    label=str(raw["label"]),
                    category=str(raw.get("category", "?")),
                    note=str(raw.get("note", "")),
                )
            )
        except (json.JSONDecodeError, KeyError, AttributeError) as exc:
            raise ValueError(f"{path}:{number}: not a labelled item ({exc})") from exc
    return items


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


@dataclass(frozen=True)
class EvalReport:
    scored: tuple[ScoredItem, ...]
    ml: bool = False
    tier: str = "rules"
    notes: tuple[str, ...] = field(default=(CONTEXT_NOTE,))

    def _select(self, keep: Callable[[ScoredItem], bool]) -> list[ScoredItem]:
        return [s for s in self.scored if keep(s)]

    def _hidden_rate(self, keep: Callable[[ScoredItem], bool]) -> float | None:
        chosen = self._select(keep)
        return _rate(sum(s.hidden for s in chosen), len(chosen))

    def _rate_of(self, keep: Callable[[ScoredItem], bool], hit: Callable[[ScoredItem], bool]) -> float | None:
        chosen = self._select(keep)
        return _rate(sum(hit(s) for s in chosen), len(chosen))

    def summary(self) -> dict[str, Any]:
        abusive = self._select(lambda s: s.item.label == "abusive")
        tp = sum(s.hidden for s in abusive)
        fp = sum(s.hidden for s in self.scored if s.item.label != "abusive")
        precision, recall = _rate(tp, tp + fp), _rate(tp, len(abusive))
        f1: float | None = None
        if precision is not None and recall is not None:
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "recall_abusive": recall,
            "fpr_ok": self._hidden_rate(lambda s: s.item.label == "ok"),
            "fpr_grief": self._hidden_rate(
                lambda s: s.item.label == "ok" and s.item.category in GRIEF_CATEGORIES
            ),
            "fpr_civil": self._hidden_rate(
                lambda s: s.item.label == "ok" and s.item.category == CIVIL_CATEGORY
            ),
            "precision": precision,
            "f1": f1,
            "n": len(self.scored),
            "n_abusive": len(abusive),
            "review_recall": _rate(sum(s.reviewed for s in abusive), len(abusive)),
            "review_ok": self._rate_of(
                lambda s: s.item.label == "ok", lambda s: s.verdict.status == "flagged"
            ),
            "flagged_shown": sum(s.verdict.status == "flagged" for s in self.scored),
            "urgent": sum(s.verdict.urgent for s in self.scored),
            "decided_by": dict(Counter(s.verdict.tier for s in self.scored if s.verdict.tier)),
            "model_version": next(
                (s.verdict.model_version for s in self.scored if s.verdict.model_version), None
            ),
            "tier": self.tier + ("+ml" if self.ml else ""),
            "context": CONTEXT_NOTE,
        }

    def table(self, key: Callable[[EvalItem], str]) -> list[tuple[str, int, int, int, float | None]]:
        """Rows (group, n, abusive, hidden, share of items judged correctly)."""
        groups: dict[str, list[ScoredItem]] = {}
        for s in self.scored:
            groups.setdefault(key(s.item), []).append(s)
        return [
            (
                name,
                len(rows),
                sum(r.item.label == "abusive" for r in rows),
                sum(r.hidden for r in rows),
                _rate(sum(r.correct for r in rows), len(rows)),
            )
            for name, rows in sorted(groups.items())
        ]

    def misclassified(self) -> list[ScoredItem]:
        return [s for s in self.scored if not s.correct]

    def format_text(self) -> str:
        lines = [f"moderation eval (tier {self.tier}{' + Detoxify' if self.ml else ''}): {CONTEXT_NOTE}"]
        summary = self.summary()
        names = (
            "recall_abusive",
            "fpr_ok",
            "fpr_grief",
            "fpr_civil",
            "precision",
            "f1",
            "review_recall",
            "review_ok",
        )
        for name in names:
            lines.append(f"  {name:<15} {_fmt(summary[name])}")
        lines.append(f"  {'n':<15} {summary['n']} ({summary['n_abusive']} abusive)")
        lines.append(f"  {'flagged_shown':<15} {summary['flagged_shown']}   urgent {summary['urgent']}")
        for title, key in (("category", _category_key), ("language", _lang_key)):
            lines.append(f"\nby {title}:   {'n':>4} {'abusive':>8} {'hidden':>7} {'correct':>8}")
            for name, n, abusive, hidden, correct in self.table(key):
                lines.append(f"  {name:<24} {n:>4} {abusive:>8} {hidden:>7} {_fmt(correct):>8}")
        wrong = self.misclassified()
        lines.append(f"\nmisclassified ({len(wrong)}):")
        for s in wrong:
            what = "missed" if s.item.label == "abusive" else "hidden"
            why = ", ".join(s.verdict.reasons) or s.verdict.status
            lines.append(f"  {s.item.id} [{s.item.category}] {what} ({why}): {s.item.text}")
        return "\n".join(lines)


def _category_key(item: EvalItem) -> str:
    return f"{item.label}/{item.category}"


def _lang_key(item: EvalItem) -> str:
    return item.lang


def _fmt(value: float | None) -> str:
    return "null" if value is None else f"{value:.3f}"


def evaluate(
    items: Sequence[EvalItem],
    classifier: Classifier,
    settings: ModerationSettings,
    ml_scores: MlScores | None = None,
    learned: Learned | None = None,
    tier: str = "rules",
    memorial: bool = False,
) -> EvalReport:
    """Classify each item from its text and channel, decide, and collect the verdicts.

    ``tier``: "rules" (the rules' signals), "learned" (the learned score; the rules only tell what is
    an order) or "all" (both). ``learned`` is needed for the last two. ``memorial``: every comment as
    if under one of the community's memorial posts (a family's clip), where the policy is stricter.
    """
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {TIERS}, not {tier!r}")
    if tier != "rules" and learned is None:
        raise ValueError(f"tier {tier!r} needs the learned tier")
    scores: Iterable[dict[str, float] | None] = (
        ml_scores([i.text for i in items]) if ml_scores else [None] * len(items)
    )
    scored: list[ScoredItem] = []
    for item, ml in zip(items, scores, strict=True):
        classification = classifier.classify(item.text, item.channel)
        channel: Channel = "comment" if item.channel == "comment" else "message"
        # As the pipeline does; the policy itself knows a wall comment is never an order.
        base = ModerationContext(
            channel,
            has_order_content=classification.has_order_words,
            memorial=memorial and channel == "comment",
        )
        context = with_guards(base, item.text, classification, classifier)
        if tier == "learned":  # the rules still say what is an order or a cry for help, not what is abuse
            classification = Classification(
                tuple(s for s in classification.signals if s.category not in ABUSE_CATEGORIES)
            )
        score = learned(item.text) if learned is not None and tier != "rules" else None
        scored.append(ScoredItem(item, decide(classification, context, settings, ml, score)))
    return EvalReport(tuple(scored), ml=ml_scores is not None, tier=tier)
