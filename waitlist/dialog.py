"""The intake dialog as data: each state, the question it asks, what it accepts, and where each answer leads.

Two tracks share the consent step: the full order (when the queue has room) and the sign-up list
(when it is full: only a way to reach the writer is collected). Changing the order or wording of
the questions is a change in this table (and the catalogue), nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["FLOWS", "PD_CONSENT_QUESTION", "Accept", "State", "Step", "step_for"]


class State(StrEnum):
    NEW = "new"  # never greeted (or data deleted)
    CONSENT = "consent"
    DECLINED = "declined"
    SUBJECT = "subject"
    RELATION = "relation"
    PHOTOS = "photos"
    STORY = "story"
    WISHES = "wishes"
    VOICE = "voice"
    CONTACT = "contact"
    NOTIFY = "notify"
    PUBLISH = "publish"
    SUMMARY = "summary"
    CORRECTION = "correction"
    SIGNUP_CONTACT = "signup_contact"
    SIGNUP_NOTIFY = "signup_notify"
    IDLE = "idle"  # nothing being asked: an order placed, a sign-up listed, or a cancellation


class Accept(StrEnum):
    YES_NO = "yes_no"
    TEXT = "text"
    PHOTOS = "photos"
    STORY = "story"
    WISHES = "wishes"
    VOICE = "voice"
    CONTACT = "contact"
    CONFIRM = "confirm"


@dataclass(frozen=True)
class Step:
    question: str  # catalogue key
    accepts: Accept
    next: Mapping[str, State]  # outcome -> next state
    buttons: tuple[tuple[str, ...], ...] = field(default=())  # answer ids; labels are intake.button.<id>


_YES_NO = (("yes", "no"),)
# Stands for the consent wording named in settings (pd_consent_text_key), so the version shown is the one stored.
PD_CONSENT_QUESTION = "intake.consent.pd_text"

ORDER_FLOW: Mapping[State, Step] = {
    State.CONSENT: Step(
        PD_CONSENT_QUESTION,
        Accept.YES_NO,
        {"yes": State.SUBJECT, "no": State.DECLINED},
        (("agree", "disagree"),),
    ),
    # "Мой папа, Николай Петрович" names the relation too: then it is not asked.
    State.SUBJECT: Step(
        "intake.ask.subject", Accept.TEXT, {"ok": State.RELATION, "with_relation": State.PHOTOS}
    ),
    State.RELATION: Step("intake.ask.relation", Accept.TEXT, {"ok": State.PHOTOS}),
    State.PHOTOS: Step("intake.ask.photos", Accept.PHOTOS, {"done": State.STORY}, (("done",),)),
    State.STORY: Step("intake.ask.story", Accept.STORY, {"done": State.WISHES}, (("done",),)),
    State.WISHES: Step(
        "intake.ask.wishes",
        Accept.WISHES,
        {"done": State.CONTACT, "voice": State.VOICE},
        (("wish:embrace", "wish:wings"), ("wish:birds", "wish:song"), ("wish:voice",), ("done",)),
    ),
    State.VOICE: Step("intake.ask.voice", Accept.VOICE, {"done": State.CONTACT}, (("skip",),)),
    State.CONTACT: Step("intake.ask.contact", Accept.CONTACT, {"ok": State.NOTIFY}, (("here",),)),
    State.NOTIFY: Step(
        "intake.ask.notify", Accept.YES_NO, {"yes": State.PUBLISH, "no": State.PUBLISH}, _YES_NO
    ),
    State.PUBLISH: Step(
        "intake.ask.publish",
        Accept.YES_NO,
        {"yes": State.SUMMARY, "no": State.SUMMARY},
        (("publish_yes", "publish_no"),),
    ),
    State.SUMMARY: Step(
        "intake.ask.confirm",
        Accept.CONFIRM,
        {"yes": State.IDLE, "fix": State.CORRECTION},
        (("confirm", "fix"),),
    ),
    State.CORRECTION: Step("intake.ask.correction", Accept.TEXT, {"ok": State.SUMMARY}),
}

SIGNUP_FLOW: Mapping[State, Step] = {
    State.CONSENT: Step(
        "intake.ask.signup_consent",
        Accept.YES_NO,
        {"yes": State.SIGNUP_CONTACT, "no": State.DECLINED},
        (("agree", "disagree"),),
    ),
    State.SIGNUP_CONTACT: Step(
        "intake.ask.contact", Accept.CONTACT, {"ok": State.SIGNUP_NOTIFY}, (("here",),)
    ),
    State.SIGNUP_NOTIFY: Step(
        "intake.ask.notify", Accept.YES_NO, {"yes": State.IDLE, "no": State.IDLE}, _YES_NO
    ),
}

FLOWS: Mapping[str, Mapping[State, Step]] = {"order": ORDER_FLOW, "signup": SIGNUP_FLOW}

# Wishes a relative can choose; "voice" is the add-on that asks for a recording of the person.
WISHES = ("embrace", "wings", "birds", "song", "voice")


def step_for(track: str, state: str) -> Step | None:
    """The step asked in this state, or None where nothing is being asked (new, declined, idle)."""
    return FLOWS[track].get(State(state))
