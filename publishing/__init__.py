"""Publishing consented clips to the community wall on a schedule; takes them down when consent is revoked.

Domain only: it never imports ``vkbot``. ``plan`` decides and returns effects (``publishing.effects``);
the caller turns them into outbox rows and reports outcomes back (``publishing.outcomes``).
"""

from publishing.approval import answer, peers_asked
from publishing.effects import DeletePost, Effect, HandToFounder, PublishClip, SwitchComments
from publishing.models import PubPost
from publishing.outcomes import (
    Publication,
    handed_to_founder,
    publication_for,
    record_handed_to_founder,
    record_posted,
    record_takedown_handed_to_founder,
    record_video,
    takedowns_for_founder,
)
from publishing.planner import guid_for, plan
from publishing.ports import Clock
from publishing.schedule import next_free_slot
from publishing.settings import PublishingSettings

__all__ = [
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
