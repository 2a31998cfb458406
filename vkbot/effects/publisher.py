"""The vkbot side of publishing: a scheduler job that plans into the outbox, and the executors that post.

- ``PublishingJob.run_once`` runs ``publishing.plan`` in a thread and writes its effects as outbox rows
  in the same transaction (a crash loses neither the plan nor the rows). ``run`` drives it every minute
  with an APScheduler ``AsyncIOScheduler`` until ``stop`` is set (fits ``App.extra_tasks``).
- ``effect_requests`` is the one mapping from effects to rows: ``PublishClip`` -> kind ``publish_clip``,
  ``DeletePost`` -> ``publish_delete`` (``wall.delete``, then ``video.delete``), a ``Reply`` -> a message
  to the family, ``SwitchComments`` -> ``wall.closeComments``/``wall.openComments``, ``HandToFounder`` -> a message to the founder (``alerts.founder_user_id``), or without her
  id a ``publish_handoff`` row that only logs (the dashboard lists hand-offs from ``pub_post``).
- ``publishing_executors`` returns the sender's executors for those kinds. Posting is video.save ->
  multipart upload (``video_file``) -> ``wall.post`` with the post's guid, then the post id is recorded.
  A retry (the last try's outcome is unknown) first looks on the wall for a post carrying our video.
  Without the wall right (no admin user token, error 15 or 27) the slot still happens as a hand-off:
  the founder gets the ready post as a VK message (caption and the clip) at the slot time.
- ``publishing_outcome`` is the sender's ``on_outcome`` part for publishing: a post row the sender
  parks (retries used up, or an error retrying cannot fix) becomes a failure handed to the founder,
  never a post left "queued" forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from publishing import (
    DeletePost,
    Effect,
    HandToFounder,
    PublishClip,
    PublishingSettings,
    SwitchComments,
    plan,
    publication_for,
    record_handed_to_founder,
    record_posted,
    record_takedown_handed_to_founder,
    record_video,
)
from publishing.captions import delete_handoff_text
from publishing.outcomes import postponed_for, record_failed, record_postponed, record_taken_down
from publishing.postponed import check_key
from vkbot.adapters.clips import ClipFiles, ClipMissing, Uploader, read_clip
from vkbot.adapters.outbound import reply_requests
from vkbot.api.errors import AccessDenied, GroupAuthFailed, UserTokenMissing, VkApiError, is_retryable
from vkbot.clock import Clock
from vkbot.core.store.models import OutboxRow
from vkbot.effects.outbox import Executor, MethodCaller, OutboxRequest, enqueue
from waitlist.effects import Reply

__all__ = [
    "ClipMissing",
    "PublishingJob",
    "effect_requests",
    "publishing_executors",
    "publishing_outcome",
]

log = logging.getLogger("vkbot.effects.publisher")

KIND_PUBLISH = "publish_clip"
KIND_DELETE = "publish_delete"
KIND_HANDOFF = "publish_handoff"
KIND_RECALL = "publish_recall"  # a postponed post taken back from VK's list
KIND_CHECK = "publish_check"  # after a postponed post's slot: is it live?
# How often (and how far apart) a postponed post is looked for on the wall after its slot.
_CHECKS = 5
_CHECK_EVERY = timedelta(minutes=2)
# Closer than this, a postponed post is posted at once instead (VK wants publish_date in the future).
_MIN_PUBLISH_DATE_S = 60
NO_USER_TOKEN = "no admin user token (run `vkbot connect`)"
NO_WALL_RIGHT = "no wall or video right for the admin token (VK error {code})"
# Any of these means "we may not post or delete here": the founder does it by hand.
_NO_RIGHT = (UserTokenMissing, AccessDenied, GroupAuthFailed)
# How many of the newest wall posts a retry looks through for the post its last try may have made.
_WALL_LOOKBACK = 50


def _reason(exc: Exception) -> str:
    return NO_USER_TOKEN if isinstance(exc, UserTokenMissing) else NO_WALL_RIGHT.format(code=exc.code)  # type: ignore[attr-defined]


def _to_founder(founder_id: int, key: str, text: str, file_id: str | None = None) -> list[OutboxRequest]:
    return reply_requests(Reply(founder_id, text, key, attachment_file=file_id or None))


def _hand_to_founder(session: Session, founder_id: int, handoff: HandToFounder | None, now: datetime) -> None:
    """The ready post goes to her as a VK message, in the caller's transaction (none without her id)."""
    if handoff is not None and founder_id:
        enqueue(session, _to_founder(founder_id, handoff.key, handoff.text, handoff.file_id), now=now)


def effect_requests(effects: list[Effect], group_id: int, founder_id: int = 0) -> list[OutboxRequest]:
    """Outbox rows for the planner's effects; each row's key is the effect's (idempotent enqueue)."""
    requests: list[OutboxRequest] = []
    for effect in effects:
        if isinstance(effect, PublishClip):
            # The caption and file are read from pub_post at send time, so a late revocation still counts.
            params: dict[str, Any] = {"order_id": effect.order_id, "guid": effect.guid, "title": effect.title}
            if effect.publish_at is not None:
                params["publish_at"] = int(effect.publish_at.timestamp())
            requests.append(OutboxRequest(effect.key, "wall.post", params, kind=KIND_PUBLISH))
        elif isinstance(effect, DeletePost):
            params = {"owner_id": -group_id, "post_id": effect.post_id}
            kind = KIND_RECALL if effect.recall else KIND_DELETE
            requests.append(OutboxRequest(effect.key, "wall.delete", params, kind=kind))
        elif isinstance(effect, SwitchComments):
            method = "wall.closeComments" if effect.closed else "wall.openComments"
            requests.append(
                OutboxRequest(effect.key, method, {"owner_id": -group_id, "post_id": effect.post_id})
            )
        elif isinstance(effect, Reply):
            requests.extend(reply_requests(effect))
        elif isinstance(effect, HandToFounder):
            if founder_id:
                requests.extend(_to_founder(founder_id, effect.key, effect.text))
            else:  # without her VK id the dashboard's list is the only place she sees it
                params = {"order_id": effect.order_id, "reason": effect.reason, "text": effect.text}
                requests.append(OutboxRequest(effect.key, "founder.handoff", params, kind=KIND_HANDOFF))
    return requests


@dataclass
class PublishingJob:
    """Plans publications into the outbox; the app's scheduler calls ``run_once`` every minute."""

    engine: Engine
    settings: PublishingSettings
    clock: Clock
    group_id: int
    on_enqueued: Callable[[], None] | None = None  # e.g. ``sender.wake.set``
    founder_id: int = 0  # alerts.founder_user_id: hand-offs reach her as VK messages
    runs: int = field(default=0, init=False)

    async def run_once(self) -> int:
        """One planning pass; returns how many outbox rows it added."""
        added = await asyncio.to_thread(self._plan_and_enqueue)
        self.runs += 1
        if added and self.on_enqueued is not None:
            self.on_enqueued()
        return added

    def _plan_and_enqueue(self) -> int:
        with Session(self.engine) as session:
            effects = plan(session, self.settings, self.clock)
            requests = effect_requests(effects, self.group_id, self.founder_id)
            added = enqueue(session, requests, now=self.clock.now())
            session.commit()  # the plan's row changes and the outbox rows land together
        if effects:
            log.info("publishing planned %d effect(s), %d new outbox row(s)", len(effects), added)
        return added


@dataclass
class PublishExecutors:
    """The outbox executors for the publishing kinds; database work runs in threads."""

    engine: Engine
    files: ClipFiles
    uploader: Uploader
    settings: PublishingSettings
    clock: Clock
    group_id: int
    founder_id: int = 0

    def executors(self) -> dict[str, Executor]:
        return {
            KIND_PUBLISH: self.publish,
            KIND_DELETE: self.delete,
            KIND_HANDOFF: self.hand_off,
            KIND_RECALL: self.recall,
            KIND_CHECK: self.check,
        }

    async def publish(self, row: OutboxRow, client: MethodCaller) -> Any:
        pub = await asyncio.to_thread(self._read, publication_for, row.key)
        if pub is None:
            return {"skipped": "withdrawn or handed off"}
        try:
            uploaded_before = pub.vk_video is not None  # an earlier try got this far (a crash, a timeout)
            video = pub.vk_video or await self._upload(row, client, pub.file_id, pub.caption)
            # A revocation may have arrived during the upload: ask again right before posting.
            if await asyncio.to_thread(self._read, publication_for, row.key) is None:
                return {"skipped": "withdrawn during upload", "video": video}
            # The last try may have posted and lost the answer: look before posting again.
            retried = row.attempts > 0 or uploaded_before
            found, postponed = await self._on_wall(client, video) if retried else (None, False)
            publish_at = int(row.params.get("publish_at") or 0)
            if found is None:
                postponed = publish_at > self.clock.now().timestamp() + _MIN_PUBLISH_DATE_S
                params = {
                    "owner_id": -self.group_id,
                    "from_group": 1,
                    "message": pub.caption,
                    "attachments": video,
                    "guid": pub.guid,  # VK answers a repeat with the same post: a second safety net
                }
                if pub.close_comments:  # closed from its first moment, at the family's wish
                    params["close_comments"] = 1
                if postponed:  # VK holds it and publishes it at the slot, even while we are down
                    params["publish_date"] = publish_at
                answer = await client.call("wall.post", params)
                found = int(answer["post_id"])
        except _NO_RIGHT as exc:
            return await asyncio.to_thread(self._hand_off, row, _reason(exc))
        except VkApiError as exc:
            if is_retryable(exc):
                raise
            # VK refuses this post for good: the slot still happens by her hand, never a stuck row.
            return await asyncio.to_thread(self._hand_off, row, f"VK refused the post: {exc}")
        assert found is not None
        if postponed:
            await asyncio.to_thread(self._postponed, row, found, publish_at or None)
            log.info("order %s handed to VK as postponed post %s", row.params.get("order_id"), found)
            return {"postponed_id": found, "video": video}
        await asyncio.to_thread(self._write, record_posted, row.key, found)
        log.info("order %s posted on the wall as post %s", row.params.get("order_id"), found)
        return {"post_id": found, "video": video}

    def _postponed(self, row: OutboxRow, postponed_id: int, publish_at: int | None) -> None:
        """Record the postponed id and, in the same transaction, the look at the wall after the slot."""
        now = self.clock.now()
        at = datetime.fromtimestamp(publish_at, UTC) if publish_at else now
        guid = str(row.params.get("guid"))
        with Session(self.engine) as session:
            record_postponed(session, row.key, postponed_id, at=now)
            enqueue(session, [self._check_request(guid, postponed_id, 1, at + _CHECK_EVERY)], now=now)
            session.commit()

    def _check_request(self, guid: str, postponed_id: int, attempt: int, when: datetime) -> OutboxRequest:
        params = {"guid": guid, "postponed_id": postponed_id, "attempt": attempt}
        return OutboxRequest(check_key(guid, attempt), "wall.get", params, kind=KIND_CHECK, not_before=when)

    async def check(self, row: OutboxRow, client: MethodCaller) -> Any:
        """After a postponed post's slot: record the live post, look again later, or fail it to the founder."""
        waiting = await asyncio.to_thread(self._read, postponed_for, row.key)
        postponed_id = int(row.params["postponed_id"])
        if waiting is None or waiting[0] != postponed_id:
            return {"skipped": "live, taken back or withdrawn meanwhile"}
        video = waiting[1] or ""
        found, still_postponed = await self._on_wall(client, video)
        if found is not None and not still_postponed:
            await asyncio.to_thread(self._write, record_posted, row.key, found)
            log.info("postponed post %s is live as post %s", postponed_id, found)
            return {"post_id": found}
        attempt = int(row.params.get("attempt", 1))
        if found is not None and attempt < _CHECKS:  # VK is late: look again a little later
            when = self.clock.now() + _CHECK_EVERY
            request = self._check_request(str(row.params["guid"]), postponed_id, attempt + 1, when)
            await asyncio.to_thread(self._enqueue, [request])
            return {"waiting": postponed_id}
        # Gone from VK's postponed list without going live (deleted by hand?), or never published.
        with Session(self.engine) as session:
            error = f"postponed post {postponed_id} did not go live"
            now = self.clock.now()
            handoff = record_failed(session, row.key, error, self.settings, at=now)
            _hand_to_founder(session, self.founder_id, handoff, now)
            session.commit()
        return {"failed": postponed_id}

    async def recall(self, row: OutboxRow, client: MethodCaller) -> Any:
        """Take a postponed post back from VK's list (it is handed over again with its new time or text)."""
        try:
            await client.call("wall.delete", row.params)
        except VkApiError as exc:
            if exc.code != 100:  # 100: no such post any more (gone already)
                raise
        return {"recalled": row.params.get("post_id")}

    def _enqueue(self, requests: list[OutboxRequest]) -> None:
        with Session(self.engine) as session:
            enqueue(session, requests, now=self.clock.now())
            session.commit()

    async def _on_wall(self, client: MethodCaller, video: str) -> tuple[int | None, bool]:
        """The id of a post carrying ``video`` if an earlier try made one, and whether it is postponed."""
        for kind in ("all", "postponed"):
            answer = await client.call(
                "wall.get", {"owner_id": -self.group_id, "count": _WALL_LOOKBACK, "filter": kind}
            )
            for item in answer.get("items", []):
                for attachment in item.get("attachments", []):
                    seen = attachment.get("video") or {}
                    if f"video{seen.get('owner_id')}_{seen.get('id')}" == video:
                        log.info("post %s found on the wall (%s): not posting again", item["id"], kind)
                        return int(item["id"]), kind == "postponed"
        return None, False

    async def _upload(self, row: OutboxRow, client: MethodCaller, file_id: str, caption: str) -> str:
        data = await read_clip(self.files, file_id, f"order {row.params.get('order_id')}")
        title = str(row.params.get("title") or "")
        saved = await client.call(
            "video.save",
            {
                "group_id": self.group_id,
                "is_private": 0,
                "wallpost": 0,  # we post ourselves, with the guid
                "name": title or caption.splitlines()[0][:128],
                "description": caption,
            },
        )
        await self.uploader.upload(saved["upload_url"], "video_file", "clip.mp4", data, "video/mp4")
        video = f"video{saved['owner_id']}_{saved['video_id']}"
        await asyncio.to_thread(self._write, record_video, row.key, video)
        return video

    def _hand_off(self, row: OutboxRow, reason: str) -> dict[str, Any]:
        with Session(self.engine) as session:
            now = self.clock.now()
            handoff = record_handed_to_founder(session, row.key, reason, self.settings, at=now)
            # In the same transaction: the post is hers exactly when her message is on its way.
            _hand_to_founder(session, self.founder_id, handoff, now)
            session.commit()
        if handoff is None:
            return {"skipped": "no longer queued"}
        # Logged once: the row is done after this, so it never runs again.
        log.warning(
            "order %s not posted: %s; the founder has a ready post to paste", handoff.order_id, reason
        )
        return {"handed_to_founder": True, "reason": reason, "text": handoff.text}

    async def delete(self, row: OutboxRow, client: MethodCaller) -> Any:
        post_id = int(row.params["post_id"])
        try:
            await client.call("wall.delete", row.params)
        except _NO_RIGHT as exc:
            return await asyncio.to_thread(self._takedown_hand_off, row, post_id, _reason(exc))
        except VkApiError as exc:
            if exc.code != 100:  # 100: no such post, already taken down (by hand, or by an earlier try)
                raise
        done = await asyncio.to_thread(self._taken_down, row)
        if done.video:
            await self._delete_video(row, client, done.video)
        return {"deleted": post_id, "video": done.video}

    def _taken_down(self, row: OutboxRow) -> Any:
        with Session(self.engine) as session:
            now = self.clock.now()
            done = record_taken_down(session, row.key, at=now)
            if done.family is not None:  # the family hears it is done, once (the reply's key)
                enqueue(session, reply_requests(done.family), now=now)
            session.commit()
        return done

    async def _delete_video(self, row: OutboxRow, client: MethodCaller, video: str) -> None:
        owner, video_id = video.removeprefix("video").split("_")[:2]
        try:
            await client.call("video.delete", {"owner_id": int(owner), "video_id": int(video_id)})
        except _NO_RIGHT as exc:
            text = delete_handoff_text(self.settings, 0, self.group_id, _reason(exc))
            text += f"\nhttps://vk.com/{video}"
            await asyncio.to_thread(self._founder_note, f"{row.key}:video", text)
        except VkApiError as exc:
            if exc.code != 100:
                raise

    def _takedown_hand_off(self, row: OutboxRow, post_id: int, reason: str) -> dict[str, Any]:
        text = delete_handoff_text(self.settings, post_id, self.group_id, reason)
        with Session(self.engine) as session:
            now = self.clock.now()
            record_takedown_handed_to_founder(session, row.key, reason, at=now)
            if self.founder_id:
                enqueue(session, _to_founder(self.founder_id, f"{row.key}:founder", text), now=now)
            session.commit()
        log.warning("wall post %s must come down and cannot: %s; the founder was told", post_id, reason)
        return {"handed_to_founder": True, "reason": reason, "text": text}

    def _founder_note(self, key: str, text: str) -> None:
        log.warning("the founder must finish a takedown by hand: %s", text.splitlines()[0])
        if not self.founder_id:
            return
        with Session(self.engine) as session:
            enqueue(session, _to_founder(self.founder_id, key, text), now=self.clock.now())
            session.commit()

    async def hand_off(self, row: OutboxRow, client: MethodCaller) -> Any:
        log.warning(
            "order %s: %s; the founder was told", row.params.get("order_id"), row.params.get("reason")
        )
        return {"handed_to_founder": True, "text": row.params.get("text", "")}

    def _read(self, fn: Callable[[Session, str], Any], key: str) -> Any:
        with Session(self.engine) as session:
            return fn(session, key)

    def _write(self, fn: Callable[..., None], key: str, value: Any) -> None:
        with Session(self.engine) as session:
            fn(session, key, value, at=self.clock.now())
            session.commit()


def publishing_executors(
    engine: Engine,
    files: ClipFiles,
    uploader: Uploader,
    settings: PublishingSettings,
    clock: Clock,
    group_id: int,
    founder_id: int = 0,
) -> dict[str, Executor]:
    """Executors to merge into ``OutboxSender.executors``."""
    return PublishExecutors(engine, files, uploader, settings, clock, group_id, founder_id).executors()


def publishing_outcome(
    settings: PublishingSettings, clock: Clock, founder_id: int = 0
) -> Callable[[Session, OutboxRow], None]:
    """For ``OutboxSender.on_outcome``: a parked publish row fails its post and hands it to the founder.

    Runs inside the transaction that parks the row, so the failure, her message and the row's end land
    together.
    """

    def outcome(session: Session, row: OutboxRow) -> None:
        if row.kind not in (KIND_PUBLISH, KIND_CHECK) or row.status != "parked":
            return
        now = clock.now()
        handoff = record_failed(session, row.key, row.last_error or "unknown error", settings, at=now)
        _hand_to_founder(session, founder_id, handoff, now)

    return outcome
