"""The event handler: routes each stored VK event to moderation and the waitlist, and returns outbox rows.

Order for a relative's message: moderate first (the verdict is stored; abuse is kept out of the
founder's inbox), then, unless the message is abuse and nothing else, let the intake answer it. An
order inside a hidden message still gets its intake answer; self-harm signals get the support line
(from the intake, with ``urgent``), and what the founder must hear at once goes to her as a VK message.
Runs inside the dispatcher's transaction, in a worker thread: everything here is synchronous.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

import i18n
import publishing
import waitlist
from moderation import evidence
from moderation.classifier import Classification, Classifier, OfflineClassifier
from moderation.learned import LearnedTier
from moderation.models import ModItem
from moderation.policy import LearnedScore, ModerationContext, Verdict, decide, decide_unless_context_matters
from moderation.records import note_absent
from moderation.relative import with_guards
from moderation.subject import Subject
from publishing.comments import memorial_post
from vkbot.adapters.downloads import FetchedAhead, HttpDownloader
from vkbot.adapters.inbound import VK_LANG_IDS, inbound_attachments, to_inbound
from vkbot.adapters.message_texts import StoredMessageTexts
from vkbot.adapters.moderation import subject_of, verdict_requests
from vkbot.adapters.outbound import reply_requests
from vkbot.clock import Clock
from vkbot.config import Config
from vkbot.core.store.events_repo import load_event, message_of, new_message
from vkbot.core.store.models import OutboxRow, StoredEvent
from vkbot.effects.outbox import OutboxRequest, message_request
from vkbot.ingress.events import (
    MalformedEvent,
    MessageAllow,
    MessageDeny,
    MessageEvent,
    MessageNew,
    MessageReply,
    VkEvent,
    WallReplyNew,
)
from vkbot.ops.founder_alerts import founder_alert_requests
from waitlist import Downloader, FileStore, InboundAttachment, InboundButton, InboundMessage
from waitlist.filestore import LocalFileStore
from waitlist.founder import mark_handled
from waitlist.language import detect_language
from waitlist.media import is_media
from waitlist.photo_check import measure_photo
from waitlist.prefetch import downloading_peers, media_to_fetch

log = logging.getLogger("vkbot.core.pipeline")

Handler = Callable[["Pipeline", Session, str, Any], list[OutboxRequest]]


@dataclass
class Pipeline:
    config: Config
    clock: Clock
    files: FileStore
    downloader: Downloader
    classifier: Classifier
    learned: LearnedTier | None = None  # the learned tier beside the rules; None: rules alone
    # From ``prepare``: the batch's event keys and which of its writers a publishing question awaits;
    # the random_id of each echo of a sent message (``message_reply``) and which of them are ours.
    _asked: tuple[frozenset[str], set[int]] = field(default=(frozenset(), set()), init=False, repr=False)
    _echoes: tuple[dict[str, int], set[int]] = field(default=({}, set()), init=False, repr=False)
    # Events ``slow`` parsed, for ``handle`` (the dispatcher asks one, then the other): parsed once.
    # By the row object's id, with the row kept so the id cannot be reused meanwhile.
    _parsed: dict[int, tuple[StoredEvent, VkEvent | MalformedEvent]] = field(
        default_factory=dict, init=False, repr=False
    )

    # -- EventHandler ------------------------------------------------------------------------------
    def prepare(self, session: Session, events: list[StoredEvent]) -> None:
        """Batch-wide lookups in one query each (see ``waitlist.preload``); called before ``handle``."""
        peers = [e.peer_id for e in events if e.peer_id is not None and e.peer_id > 0]
        waitlist.preload(session, (e.key for e in events), peers)
        writers = set(peers)
        keys = frozenset(e.key for e in events if e.peer_id in writers)
        # A question waits only on an order: most writers have none (the preload knows), so most
        # batches need not ask.
        with_orders = waitlist.peers_with_orders(session, writers)
        self._asked = (keys, publishing.peers_asked(session, with_orders) if with_orders else set())
        # Moderated events (their keys name the verdict rows): which have no verdict stored yet.
        note_absent(session, (e.key for e in events if e.type in _MODERATED))
        echoes = {e.key: rid for e in events if (rid := _echo_random_id(e))}
        found = session.scalars(_OURS, {"ids": list(set(echoes.values()))}) if echoes else ()
        self._echoes = (echoes, {random_id for random_id in found if random_id is not None})

    def slow(self, stored: StoredEvent) -> bool:
        """A message with media: its download and photo check (OpenCV) take long; the dispatcher runs it last."""
        if stored.type != "message_new":
            return False  # the stored type is the parsed event's (identity columns): no parse needed
        event = load_event(stored)
        if len(self._parsed) >= _PARSED_KEPT:
            self._parsed.clear()  # events asked about and never handled (another dispatcher took them)
        self._parsed[id(stored)] = (stored, event)
        message = message_of(event)
        return message is not None and any(is_media(att) for att in inbound_attachments(message))

    def fetch_ahead(self, session: Session, events: list[StoredEvent]) -> Callable[[], None] | None:
        """The downloads and photo checks of these events, as work to run before the write transaction.

        Only for relatives who consented (nothing is downloaded before); the dispatcher runs the work
        with no transaction open, and the handler then finds the bytes and measures ready.
        """
        if not isinstance(self.downloader, FetchedAhead):
            return None
        media = {event.id: self._attachments(event) for event in events}
        peers = downloading_peers(session, {e.peer_id for e in events if e.peer_id and media[e.id]})
        wanted = [
            item
            for event in events
            if event.peer_id in peers
            for item in media_to_fetch(media[event.id], self.config.waitlist)
        ]
        if not wanted:
            return None
        downloader = self.downloader

        def fetch() -> None:
            fetched = downloader.fetch_all([(url, limit) for url, limit, _ in wanted])
            for url, _, is_photo in wanted:
                if is_photo and url in fetched:
                    measure_photo(fetched[url])  # remembered by content: the handler's check is instant

        return fetch

    def _attachments(self, stored: StoredEvent) -> tuple[InboundAttachment, ...]:
        message = new_message(stored)
        return inbound_attachments(message) if message is not None else ()

    def _load(self, stored: StoredEvent) -> VkEvent | MalformedEvent:
        """The typed event, as ``slow`` parsed it if it did (the same row object), else parsed now."""
        entry = self._parsed.pop(id(stored), None)
        if entry is not None and entry[0] is stored and not stored.malformed_reason:
            return entry[1]
        return load_event(stored)

    def handle(self, session: Session, stored: StoredEvent) -> list[OutboxRequest]:
        """Route the typed event by its class (``ROUTES``); events nobody handles are only kept."""
        event = self._load(stored)
        if isinstance(event, MalformedEvent):
            if not stored.malformed_reason:  # parsed when stored, not now: kept with the reason
                stored.malformed_reason = event.reason
                log.error("stored event %s does not parse: %s", stored.id, event.reason)
            return []
        route = ROUTES.get(type(event.obj))
        return route(self, session, stored.key, event.obj) if route is not None else []

    def give_up(self, session: Session, stored: StoredEvent, error: str) -> list[OutboxRequest]:
        """Handling failed repeatedly: the writer still hears that the message is kept for the founder."""
        message = new_message(stored)
        if message is None or not message.private:
            return []
        lang = self._language(session, message.peer_id, None)
        return [message_request(f"{stored.key}:kept", message.peer_id, i18n.text("core.message_kept", lang))]

    # -- private messages ----------------------------------------------------------------------------
    def _on_message(self, session: Session, key: str, new: MessageNew) -> list[OutboxRequest]:
        message = new.message
        if not message.private:
            return []  # chats and our own messages are not relatives writing to us
        lang_id = new.client_info.lang_id if new.client_info is not None else None
        lang_hint = VK_LANG_IDS.get(lang_id) if lang_id is not None else None
        inbound = to_inbound(message, key, keyboard_supported=new.keyboard_supported, lang_hint=lang_hint)
        verdict, requests = self._moderate_message(session, key, new, inbound)
        if verdict.answer:  # always so for self-harm: the intake answers it with the support line
            for reply in self._answer_or_dialog(session, inbound, urgent=verdict.urgent):
                requests.extend(reply_requests(reply, keyboard_supported=new.keyboard_supported))
            requests.extend(self._to_founder(session, inbound.event_key))
        return requests

    def _to_founder(self, session: Session, key: str) -> list[OutboxRequest]:
        """What the founder must hear at once (a request for a person, words of despair): VK message, e-mail."""
        # Without her VK id or an SMTP server the alerts stay in wl_founder_alert, under Needs you.
        alerts = waitlist.founder_alerts(session, key)
        if not alerts:
            return []
        settings = self.config.alerts
        zone = ZoneInfo(settings.timezone or self.config.waitlist.timezone)
        return founder_alert_requests(alerts, settings, self.clock.now(), zone)

    def _moderate_message(
        self, session: Session, key: str, new: MessageNew, inbound: InboundMessage
    ) -> tuple[Verdict, list[OutboxRequest]]:
        subject = subject_of(key, new)
        assert subject is not None  # a private message always has one
        classification = self.classifier.classify(subject.text, "message")
        has_photo = any(a.kind == "photo" for a in inbound.attachments)
        base = ModerationContext(
            channel="message", has_order_content=has_photo or classification.has_order_words
        )
        learned = self._learned(subject.text)
        settings = self.config.moderation
        # When no tier would hide or the score alone mark the message, the rest of the context changes
        # nothing: most messages.
        verdict = decide_unless_context_matters(classification, base, settings, learned=learned)
        if verdict is None:
            context = with_guards(base, subject.text, classification, self.classifier)
            verdict = decide(classification, context, settings, learned=learned)
            as_protected = decide(classification, replace(context, protected=True), settings, learned=learned)
            # Protection only softens a verdict (hidden to marked, the score's mark to none): the
            # conversation's orders are looked up (two queries) only when it would change this one.
            if as_protected != verdict and waitlist.conversation_protected(session, inbound.peer_id):
                verdict = as_protected
        return verdict, self._record(session, subject, verdict, classification)

    def _record(
        self, session: Session, subject: Subject, verdict: Verdict, classification: Classification
    ) -> list[OutboxRequest]:
        if verdict.status != "ok":
            log.info(
                "%s %s: %s (%s)",
                subject.channel,
                subject.source_key,
                verdict.status,
                ", ".join(verdict.categories),
            )
        return verdict_requests(
            session,
            subject,
            verdict,
            classification,
            self.clock.now(),
            settings=self.config.moderation,
            group_id=self.config.vk.group_id,
        )

    # -- publishing: the family's answer to "publish this post?" goes to publishing, not the intake --
    def _answer_or_dialog(
        self, session: Session, inbound: InboundMessage, *, urgent: bool = False
    ) -> list[waitlist.Reply]:
        if not urgent:  # words of despair always reach the dialog (support line, founder alert)
            keys, peers = self._asked  # known for the prepared batch; else publishing looks it up
            asked = peers if inbound.event_key in keys else None
            replies = publishing.answer(
                session, inbound, self.config.publishing, self.clock.now(), asked=asked
            )
            if replies is not None:
                return replies
        return self._dialog(session, inbound, urgent=urgent)

    # -- end publishing --
    def _dialog(
        self, session: Session, inbound: InboundMessage, *, urgent: bool = False
    ) -> list[waitlist.Reply]:
        return waitlist.handle_message(
            session,
            inbound,
            settings=self.config.waitlist,
            clock=self.clock,
            files=self.files,
            downloader=self.downloader,
            texts=self._texts(session),
            urgent=urgent,
        )

    def _texts(self, session: Session) -> StoredMessageTexts:
        """A relative's stored texts, erasable on "delete my data"; threats kept as evidence stay."""

        def evidence_keys(peer_id: int) -> set[str]:
            query = select(col(ModItem.source_key)).where(
                col(ModItem.peer_id) == peer_id, col(ModItem.evidence).is_(True)
            )
            return set(session.scalars(query))

        return StoredMessageTexts(
            session, evidence_keys, lambda peer_id: evidence.erase_texts(session, peer_id, self.clock.now())
        )

    def _on_community_message(self, session: Session, key: str, message: MessageReply) -> list[OutboxRequest]:
        """A message the community sent: ours (by random_id) or the founder writing herself."""
        if message.peer_id <= 0:
            return []
        ours = message.random_id is not None and self._sent_by_us(session, key, message.random_id)
        if not ours or message.admin_author_id:
            at = datetime.fromtimestamp(message.date, UTC)
            waitlist.record_founder_message(session, message.peer_id, at, settings=self.config.waitlist)
            mark_handled(session, at, peer_id=message.peer_id)  # she answered: off her "Needs you" page
        return []

    def _sent_by_us(self, session: Session, key: str, random_id: int) -> bool:
        if not random_id:
            return False  # 0: VK's "no random_id", never one of ours (random_id_for is never 0)
        echoes, ours = self._echoes  # looked up for the prepared batch; else one query here
        if echoes.get(key) == random_id:
            return random_id in ours
        query = select(col(OutboxRow.id)).where(col(OutboxRow.random_id) == random_id).limit(1)
        return session.scalar(query) is not None

    def _on_permission(
        self, session: Session, key: str, change: MessageAllow | MessageDeny
    ) -> list[OutboxRequest]:
        allowed = isinstance(change, MessageAllow)
        waitlist.record_message_allow(session, change.user_id, allowed, self.clock.now())
        return []

    def _on_button(self, session: Session, key: str, press: MessageEvent) -> list[OutboxRequest]:
        # Answered always (VK shows a spinner until then); only a private chat's press is an answer to the dialog.
        answer = OutboxRequest(
            key=f"{key}:event_answer",
            method="messages.sendMessageEventAnswer",
            params={"event_id": press.event_id, "user_id": press.user_id, "peer_id": press.peer_id},
        )
        if not press.private:
            return [answer]
        button = InboundButton(key, press.peer_id, press.user_id, press.payload or {})
        replies = self._answer_or_dialog(session, button.as_message(self.clock.now()))
        return [
            answer,
            *(r for reply in replies for r in reply_requests(reply)),
            *self._to_founder(session, button.event_key),
        ]

    # -- wall comments -----------------------------------------------------------------------------
    def _on_comment(self, session: Session, key: str, comment: WallReplyNew) -> list[OutboxRequest]:
        subject = subject_of(key, comment)
        if subject is None:
            return []  # the community's own comments
        classification = self.classifier.classify(subject.text, "comment")
        # A comment under a family's memorial post meets the stricter threshold.
        memorial = memorial_post(session, subject.post_id)
        base = ModerationContext(channel="comment", memorial=memorial)
        learned = self._learned(subject.text)
        verdict = decide_unless_context_matters(classification, base, self.config.moderation, learned=learned)
        if verdict is None:
            context = with_guards(base, subject.text, classification, self.classifier)
            verdict = decide(classification, context, self.config.moderation, learned=learned)
        return self._record(session, subject, verdict, classification)

    def _learned(self, text: str) -> LearnedScore | None:
        # A tapped button's label is our own wording ("No", "Help", "Another time"), not the writer's:
        # the score read such one-word texts as abuse and hid them.
        if self.learned is None or text.strip().casefold() in i18n.button_labels():
            return None
        return self.learned.assess(text)

    def _language(self, session: Session, peer_id: int, text: str | None) -> str:
        known = waitlist.conversation_language(session, peer_id)
        return known or (detect_language(text) if text else None) or i18n.DEFAULT_LANGUAGE


_MODERATED = frozenset({"message_new", "wall_reply_new"})  # the types routed to moderation (ROUTES)
_PARSED_KEPT = 2000  # parsed events kept for ``handle`` at most (a batch claims 200)


# Which of a batch's echoes (by random_id) the sender sent: built once, like the preload's statements.
_OURS = select(col(OutboxRow.random_id)).where(col(OutboxRow.random_id).in_(bindparam("ids", expanding=True)))


def _echo_random_id(stored: StoredEvent) -> int | None:
    """The random_id of a ``message_reply`` (an echo of a message the community sent), read off the raw
    event without parsing it; the handler checks it against the parsed one."""
    if stored.type != "message_reply" or not isinstance(stored.raw, dict):
        return None
    obj = stored.raw.get("object")
    random_id = obj.get("random_id") if isinstance(obj, dict) else None
    return random_id if isinstance(random_id, int) and random_id else None


# The routing table: the class of an event's object -> the one handler for it. Other events are kept only.
ROUTES: dict[type, Handler] = {
    MessageNew: Pipeline._on_message,
    MessageReply: Pipeline._on_community_message,
    MessageAllow: Pipeline._on_permission,
    MessageDeny: Pipeline._on_permission,
    MessageEvent: Pipeline._on_button,
    WallReplyNew: Pipeline._on_comment,
}


def build_pipeline(config: Config, *, clock: Clock) -> Pipeline:
    return Pipeline(
        config=config,
        clock=clock,
        files=LocalFileStore(config.storage.files_dir),
        downloader=FetchedAhead(HttpDownloader()),
        classifier=OfflineClassifier(config.moderation.data_dir),
        learned=LearnedTier.from_settings(config.moderation),
    )
