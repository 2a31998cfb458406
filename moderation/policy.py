"""The policy: from a classification, the context and the settings to a verdict (pure, no I/O).

Rules of issue 5, in the order they apply:

* a rule signal at ``rule_quarantine_score`` hides the message, at ``rule_flag_score`` marks it;
* the learned tier's score (``LearnedScore``) hides at its ``hide`` threshold and sends the item to
  review (shown, marked) from its ``review`` threshold; alone it never hides an order, a question (a
  relative asking something), words of mourning, a text of one or two words (which it marks only from
  its ``hide`` threshold), a private message with a phone, an e-mail or a handle, or what ``spared``
  names (thanks, a curse at an illness or the war, someone else's words reported), whatever
  ``order_content_protects`` says; it only sends them to review;
* a Detoxify score alone marks (``ml_flag_threshold``); it hides only above ``ml_quarantine_threshold``
  and only when ``ml_quarantine_enabled``;
* under a memorial post (``memorial``, with ``memorial_comments_strict``) the rules and Detoxify hide
  from their mark threshold: a family's clip is no place for abuse left up while she reviews it; a
  mourner's words keep the usual thresholds. The learned score keeps its own thresholds there: hiding
  its review band deleted 6-32% of the ok comments of the labelled sets under a memorial post
  (condolences, grief, praise; one grief comment in five on blind set K);
* a protected conversation (an order, or an intake that collected consent or a photo) is never
  hidden, only marked, and the learned score alone does not even mark it: a relative's answers there
  ("Granddaughter", a name, a memory) are short and unlike its corpora, and it took them for abuse
  (the rules still mark); nor is a message hidden that itself carries an order
  (``order_content_protects``);
* a text that reads as a relative's order, follow-up or question (``relative``, see
  ``moderation.relative``) is never hidden by any tier, whatever the settings: review at most; nor is a
  private message that tells of a death in her family (``told_death``), which she is answered too; nor
  is someone else's abuse quoted in a report to the admin (``spared == "reported"``);
* abuse dressed as a mourner's words (``unguarded``: hate asked as a question, mockery of the dead, a
  threat holding a word of mourning, a question about the reader's family, a scam) keeps none of the
  learned score's guards but an order in a private message: it is no question, no relative's, not
  spared, and its words of mourning do not keep the score from hiding it (quoted words and a report to
  the admin are not the writer's: the checks leave them out);
* self-harm is always urgent and shown, whatever else the message holds;
* abuse with no order in it gets no answer; threats and death wishes are kept as evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from moderation.classifier import ABUSE_CATEGORIES, SELF_HARM, Classification
from moderation.settings import ModerationSettings

Status = Literal["ok", "flagged", "quarantined"]
Channel = Literal["message", "comment"]
# Which tier's signal set the status: "" when nothing did (ok).
Tier = Literal["", "rules", "learned", "ml"]
LEARNED_CATEGORY = "toxic"
EVIDENCE_CATEGORIES = ("threat", "death_wish")
# Detoxify label -> our category; "toxicity"/"severe_toxicity" say only that something is wrong.
ML_LABEL_CATEGORIES: Mapping[str, str] = {
    "toxicity": "toxic",
    "severe_toxicity": "toxic",
    "obscene": "obscene",
    "identity_attack": "hate",
    "insult": "insult",
    "threat": "threat",
    "sexual_explicit": "obscene",
}
_RANK: Mapping[Status, int] = {"ok": 0, "flagged": 1, "quarantined": 2}


@dataclass(frozen=True, slots=True)
class ModerationContext:
    channel: Channel
    protected: bool = False  # the conversation has an order, or an intake that collected consent/photo
    has_order_content: bool = False  # photos or order words in this message
    question: bool = False  # the message asks something: the learned score alone never hides it
    memorial: bool = False  # a comment under one of the community's memorial posts
    relative: bool = False  # reads as a relative's order, follow-up or question: no tier hides it
    told_death: bool = False  # a private message telling how her kin died: no tier hides it
    spared: str = ""  # why the learned score alone may not hide it (``relative.spared``), or ""
    # abuse dressed as a mourner's words (``moderation.relative.unguarded``: hate asked as a question,
    # mockery of the dead, a threat holding a word of mourning): its words of mourning keep no score
    # from hiding it (``question``, ``relative`` and ``spared`` are already false for it), or ""
    unguarded: str = ""


@dataclass(frozen=True, slots=True)
class LearnedScore:
    """The learned tier on one text: its score, the thresholds it is judged by, and the model version."""

    score: float
    version: str
    review: float
    hide: float
    grief: bool = False  # words of mourning in the text: the score alone never hides it
    short: bool = False  # too few words to judge (``learned.too_short``): marked from hide only, for review
    contact: bool = False  # a phone, e-mail or handle (``learned.holds_contact``): spared in a message


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    categories: tuple[str, ...]
    reasons: tuple[str, ...]
    urgent: bool  # self-harm: never hidden, shown first, answered with the support line
    answer: bool  # False: the bot must not reply at all (abuse and nothing else)
    evidence: bool  # a threat or death wish, kept for a police export
    tier: Tier = ""  # the tier whose signal set the status
    learned_score: float | None = None  # the learned tier's score, when it ran
    model_version: str | None = None  # ...and the version of its model

    @property
    def hidden(self) -> bool:
        return self.status == "quarantined"


def asks(text: str) -> bool:
    """Whether a message asks something the learned score alone may not hide: a question mark (the one
    sign that holds in every language) in a sentence that calls no one "ты" and is more than a tag
    after abuse ("Поняла?"); see ``moderation.relative.RelativeWords.asks``."""
    # Imported here: relative reads words as the learned tier does, and learned imports this module.
    from moderation.relative import asks as asks_the_community

    return asks_the_community(text)


def decide(
    classification: Classification,
    context: ModerationContext,
    settings: ModerationSettings,
    ml_scores: Mapping[str, float] | None = None,
    learned: LearnedScore | None = None,
) -> Verdict:
    return _decide(classification, context, settings, ml_scores, learned)[0]


def decide_unless_context_matters(
    classification: Classification,
    context: ModerationContext,
    settings: ModerationSettings,
    ml_scores: Mapping[str, float] | None = None,
    learned: LearnedScore | None = None,
) -> Verdict | None:
    """``decide`` when the rest of the context cannot change the verdict, else None.

    That depends on the signals, the scores, the settings and the context's ``channel`` and
    ``memorial`` only. When no tier would hide the message and the learned score alone would not mark
    a private message, the context's ``protected``, ``question``, ``relative``, ``told_death`` and
    ``spared`` change nothing (each only keeps a tier from hiding, says why it did not, lets hidden abuse
    be answered, or keeps the score from marking a relative's answers). So a caller works those out (a
    question, a relative's words, the conversation's orders) only on None, and then calls ``decide``
    with them.
    """
    verdict, matters = _decide(classification, context, settings, ml_scores, learned)
    return None if matters else verdict


def _decide(
    classification: Classification,
    context: ModerationContext,
    settings: ModerationSettings,
    ml_scores: Mapping[str, float] | None,
    learned: LearnedScore | None,
) -> tuple[Verdict, bool]:
    """The verdict, and whether the rest of the context could change it: some tier would hide the
    message before anything kept it from that, or the learned score would mark a private message."""
    hiding = False
    status: Status = "ok"
    tier: Tier = ""
    categories: dict[str, None] = {}
    reasons: list[str] = []

    # Under a memorial post, the mark threshold of each tier hides; a mourner's words (grief swears)
    # keep the usual thresholds.
    strict = context.memorial and context.channel == "comment" and settings.memorial_comments_strict
    strict_rules = strict and not (learned is not None and learned.grief)

    def raise_to(to: Status, by: Tier) -> None:
        nonlocal status, tier
        if _RANK[to] > _RANK[status]:
            status, tier = to, by

    for signal in classification.signals:
        if signal.category not in ABUSE_CATEGORIES or signal.source != "rules":
            continue
        if signal.score >= settings.rule_flag_score:
            categories[signal.category] = None
            reasons.append(f"rule:{signal.rule}")
            hide = strict_rules or signal.score >= settings.rule_quarantine_score
            hiding = hiding or hide
            raise_to("quarantined" if hide else "flagged", "rules")
    strong_abuse = status == "quarantined"

    # A wall comment is never an order: order words in one ("тебе самой такой ролик закажут") protect
    # nothing.
    order_content = context.has_order_content and context.channel == "message"
    # One or two words are too little for the score: it marks them only from its hide threshold (and then
    # only for review, see the guard below); it read "Привет", "No" and names as abuse.
    marks = learned is not None and learned.score >= (learned.hide if learned.short else learned.review)
    # Only a private message has a conversation to protect it.
    context_matters = marks and context.channel == "message"
    if learned is not None and marks and not (context_matters and context.protected):
        hide = learned.score >= learned.hide
        hiding = hiding or hide
        categories[LEARNED_CATEGORY] = None
        # A score alone never hides an order, a question or a mourner's words, whatever the settings
        # say about rules: the model learned "obscene = toxic", and grief swears.
        guard = (
            "order"
            if order_content
            else "question"
            if context.question
            else "grief"
            if learned.grief and not context.unguarded
            else "short"
            if learned.short
            else "contact"
            if learned.contact and context.channel == "message" and not context.unguarded
            else context.spared or None
        )
        if hide and guard:
            hide = False
            reasons.append(f"learned:{learned.score:.2f}>=hide,{guard}")
        else:
            over = "hide" if hide else "review"
            why = f",unguarded:{context.unguarded}" if hide and context.unguarded else ""
            reasons.append(f"learned:{learned.score:.2f}>={over}{why}")
        # Hidden from her, but still answered: a score is a guess, and a relative it misjudges must not
        # meet silence (a troll gets the intake's greeting, which costs nothing).
        raise_to("quarantined" if hide else "flagged", "learned")

    ml = dict(ml_scores or {})
    for signal in classification.signals:
        if signal.source == "ml":
            ml[signal.rule] = max(ml.get(signal.rule, 0.0), signal.score)
    for label, score in sorted(ml.items()):
        if score < settings.ml_flag_threshold:
            continue
        categories[ML_LABEL_CATEGORIES.get(label, label)] = None
        reasons.append(f"ml:{label}={score:.2f}")
        hide = settings.ml_quarantine_enabled and (strict or score >= settings.ml_quarantine_threshold)
        hiding = hiding or hide
        raise_to("quarantined" if hide else "flagged", "ml")
        strong_abuse = strong_abuse or hide

    # What keeps any tier from hiding, the first that holds named as the reason. "reported": someone
    # else's words reported to the admin (the rules mean to skip quotes, and miss some forms).
    keeps_shown = (
        (context.protected, "protected_conversation"),
        (order_content and settings.order_content_protects, "order_content"),
        (context.relative, "relative"),
        (context.told_death, "told_death"),
        (context.spared == "reported", "reported"),
    )
    if status == "quarantined":
        kept = next((why for holds, why in keeps_shown if holds), None)
        if kept is not None:
            status, reasons = "flagged", [*reasons, kept]

    urgent = classification.has(SELF_HARM, settings.rule_flag_score)
    if urgent:
        status = "flagged"  # shown, whatever else the message holds
        categories = {SELF_HARM: None, **categories}
        reasons.insert(0, "self_harm")

    evidence = status != "ok" and any(c in categories for c in EVIDENCE_CATEGORIES)
    answer = (
        urgent
        or order_content
        or context.relative
        or context.told_death
        or context.spared == "reported"
        or not strong_abuse
    )
    verdict = Verdict(
        status,
        tuple(categories),
        tuple(reasons),
        urgent,
        answer,
        evidence,
        tier if status != "ok" else "",
        None if learned is None else learned.score,
        None if learned is None else learned.version,
    )
    return verdict, hiding or context_matters
