"""The event handler: routes each stored VK event to moderation and the waitlist, and returns outbox rows.

Order for a relative's message: moderate first (the verdict is stored; abuse is kept out of the
founder's inbox), then, unless the message is abuse and nothing else, let the intake answer it. An
order inside a hidden message still gets its intake answer; self-harm signals get the support line.
Runs inside the dispatcher's transaction, in a worker thread: everything here is synchronous.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

import i18n
import waitlist
from moderation import evidence
from moderation.classifier import Classifier, OfflineClassifier
from moderation.models import ModItem
from moderation.policy import ModerationContext, Verdict, decide
from vkbot.adapters.downloads import HttpDownloader
from vkbot.adapters.inbound import VK_LANG_IDS, to_inbound
from vkbot.adapters.message_texts import StoredMessageTexts
from vkbot.adapters.moderation import verdict_requests
from vkbot.adapters.outbound import reply_requests
from vkbot.clock import SystemClock
from vkbot.config import Config
from vkbot.core.store.models import OutboxRow, StoredEvent
from vkbot.effects.outbox import OutboxRequest, message_request
from vkbot.ingress.events import (
    Comment,
    MalformedEvent,
    Message,
    MessageAllow,
    MessageDeny,
    MessageEvent,
    VkEvent,
    parse_event,
)
from waitlist import Clock, Downloader, FileStore, InboundButton, InboundMessage
from waitlist.filestore import LocalFileStore
from waitlist.language import detect_language

log = logging.getLogger("vkbot.core.pipeline")

_MEDIA_TYPES = frozenset({"photo", "audio_message", "doc"})  # what the intake may download and check


def event_key(stored: StoredEvent) -> str:
    """The stable name of a stored event; every effect's idempotency key starts with it."""
    return f"evt:{stored.id}"


@dataclass
class Pipeline:
    config: Config
    clock: Clock
    files: FileStore
    downloader: Downloader
    classifier: Classifier

    # -- EventHandler ------------------------------------------------------------------------------
    def prepare(self, session: Session, events: list[StoredEvent]) -> None:
        """Batch-wide lookups in one query each (see ``waitlist.preload``); called before ``handle``."""
        peers = [e.peer_id for e in events if e.peer_id is not None and e.peer_id > 0]
        waitlist.preload(session, (event_key(e) for e in events), peers)

    def slow(self, stored: StoredEvent) -> bool:
        """A message with media: its download and photo check (OpenCV) take long; the dispatcher runs it last."""
        obj = stored.raw.get("object") if stored.type == "message_new" else None
        message = obj.get("message") if isinstance(obj, dict) else None
        attachments = message.get("attachments") if isinstance(message, dict) else None
        return isinstance(attachments, list) and any(
            isinstance(a, dict) and a.get("type") in _MEDIA_TYPES for a in attachments
        )

    def handle(self, session: Session, stored: StoredEvent) -> list[OutboxRequest]:
        if stored.malformed_reason:
            return []  # kept raw with its reason; nothing to act on
        event = parse_event(stored.raw)
        if isinstance(event, MalformedEvent):
            stored.malformed_reason = event.reason
            log.error("stored event %s does not parse: %s", stored.id, event.reason)
            return []
        obj = event.obj
        if event.type == "message_new" and event.message is not None:
            return self._on_message(session, stored, event)
        if event.type == "message_reply" and isinstance(obj, Message):
            self._on_community_message(session, obj)
        elif isinstance(obj, MessageAllow | MessageDeny):
            waitlist.record_message_allow(
                session, obj.user_id, isinstance(obj, MessageAllow), self.clock.now()
            )
        elif isinstance(obj, MessageEvent):
            return self._on_button(session, stored, obj)
        elif event.type == "wall_reply_new" and isinstance(obj, Comment):
            return self._on_comment(session, stored, obj)
        return []

    def give_up(self, session: Session, stored: StoredEvent, error: str) -> list[OutboxRequest]:
        """Handling failed repeatedly: the writer still hears that the message is kept for the founder."""
        if stored.type != "message_new" or stored.peer_id is None or stored.peer_id <= 0:
            return []
        lang = self._language(session, stored.peer_id, None)
        return [
            message_request(f"{event_key(stored)}:kept", stored.peer_id, i18n.text("core.message_kept", lang))
        ]

    # -- private messages ----------------------------------------------------------------------------
    def _on_message(self, session: Session, stored: StoredEvent, event: VkEvent) -> list[OutboxRequest]:
        message = event.message
        assert message is not None
        if message.out or message.from_id <= 0 or message.peer_id != message.from_id:
            return []  # chats and our own messages are not relatives writing to us
        info = event.raw.get("object", {}).get("client_info") or {}
        keyboard_supported = bool(info.get("keyboard", True)) if isinstance(info, dict) else True
        inbound = to_inbound(
            message,
            event_key(stored),
            keyboard_supported=keyboard_supported,
            lang_hint=VK_LANG_IDS.get(info.get("lang_id")) if isinstance(info, dict) else None,
        )
        verdict, requests = self._moderate_message(session, stored, message, inbound)
        if verdict.urgent:
            lang = self._language(session, inbound.peer_id, inbound.text)
            text = i18n.text(
                "moderation.support_answer", lang, support_line=self.config.moderation.support_line
            )
            requests.append(message_request(f"{event_key(stored)}:support", inbound.peer_id, text))
        if verdict.answer:
            replies = waitlist.handle_message(
                session,
                inbound,
                settings=self.config.waitlist,
                clock=self.clock,
                files=self.files,
                downloader=self.downloader,
                texts=self._texts(session),
            )
            for reply in replies:
                requests.extend(reply_requests(reply, keyboard_supported=keyboard_supported))
        return requests

    def _moderate_message(
        self, session: Session, stored: StoredEvent, message: Message, inbound: InboundMessage
    ) -> tuple[Verdict, list[OutboxRequest]]:
        text = "\n".join([inbound.text, *inbound.forwarded_texts])
        classification = self.classifier.classify(text, "message")
        has_photo = any(a.kind == "photo" for a in inbound.attachments)
        context = ModerationContext(
            channel="message", has_order_content=has_photo or classification.has_order_words
        )
        verdict = decide(classification, context, self.config.moderation)
        as_protected = decide(classification, replace(context, protected=True), self.config.moderation)
        # Protection only softens a hiding verdict; most messages get the same verdict either way, and
        # then the conversation's orders need not be looked up (two queries per message otherwise).
        if as_protected != verdict and self._protected(session, inbound.peer_id):
            verdict = as_protected
        if verdict.status != "ok":
            log.info("message %s: %s (%s)", event_key(stored), verdict.status, ", ".join(verdict.categories))
        requests = verdict_requests(
            session,
            source_key=event_key(stored),
            channel="message",
            author_id=inbound.from_id,
            peer_id=inbound.peer_id,
            text=text,
            verdict=verdict,
            classification=classification,
            settings=self.config.moderation,
            group_id=self.config.vk.group_id,
            at=self.clock.now(),
            cmid=message.conversation_message_id,
        )
        return verdict, requests

    def _texts(self, session: Session) -> StoredMessageTexts:
        """A relative's stored texts, erasable on "delete my data"; threats kept as evidence stay."""

        def evidence_keys(peer_id: int) -> set[str]:
            query = select(ModItem.source_key).where(ModItem.peer_id == peer_id, ModItem.evidence.is_(True))  # type: ignore[attr-defined]
            return set(session.scalars(query))

        return StoredMessageTexts(
            session, evidence_keys, lambda peer_id: evidence.erase_texts(session, peer_id)
        )

    def _protected(self, session: Session, peer_id: int) -> bool:
        return waitlist.conversation_protected(session, peer_id)

    def _on_community_message(self, session: Session, message: Message) -> None:
        """A message the community sent: ours (by random_id) or the founder writing herself."""
        if message.peer_id <= 0:
            return
        ours = message.random_id and session.scalar(
            select(OutboxRow.id).where(OutboxRow.random_id == message.random_id).limit(1)
        )
        if ours and not message.admin_author_id:
            return
        at = datetime.fromtimestamp(message.date, UTC)
        waitlist.record_founder_message(session, message.peer_id, at, settings=self.config.waitlist)

    def _on_button(self, session: Session, stored: StoredEvent, press: MessageEvent) -> list[OutboxRequest]:
        answer = OutboxRequest(
            key=f"{event_key(stored)}:event_answer",
            method="messages.sendMessageEventAnswer",
            params={"event_id": press.event_id, "user_id": press.user_id, "peer_id": press.peer_id},
        )
        button = InboundButton(event_key(stored), press.peer_id, press.user_id, press.payload or {})
        replies = waitlist.handle_message(
            session,
            button.as_message(self.clock.now()),
            settings=self.config.waitlist,
            clock=self.clock,
            files=self.files,
            downloader=self.downloader,
            texts=self._texts(session),
        )
        return [answer, *(r for reply in replies for r in reply_requests(reply))]

    # -- wall comments -----------------------------------------------------------------------------
    def _on_comment(self, session: Session, stored: StoredEvent, comment: Comment) -> list[OutboxRequest]:
        if comment.from_id < 0:
            return []  # the community's own comments
        classification = self.classifier.classify(comment.text, "comment")
        verdict = decide(classification, ModerationContext(channel="comment"), self.config.moderation)
        if verdict.status != "ok":
            log.info("comment %s: %s (%s)", event_key(stored), verdict.status, ", ".join(verdict.categories))
        return verdict_requests(
            session,
            source_key=event_key(stored),
            channel="comment",
            author_id=comment.from_id,
            peer_id=None,
            text=comment.text,
            verdict=verdict,
            classification=classification,
            settings=self.config.moderation,
            group_id=self.config.vk.group_id,
            at=self.clock.now(),
            post_id=comment.post_id,
            comment_id=comment.id,
        )

    def _language(self, session: Session, peer_id: int, text: str | None) -> str:
        known = waitlist.conversation_language(session, peer_id)
        return known or (detect_language(text) if text else None) or i18n.DEFAULT_LANGUAGE


def build_pipeline(config: Config, engine: Engine) -> Pipeline:
    return Pipeline(
        config=config,
        clock=SystemClock(),
        files=LocalFileStore(config.storage.files_dir),
        downloader=HttpDownloader(),
        classifier=OfflineClassifier(config.moderation.data_dir),
    )
