"""The "send_file" outbox executor: the finished clip reaches the relative as a video, or else as a document.

A ``send_file`` row (made by ``vkbot.adapters.outbound.reply_requests`` for a ``Reply`` with
``attachment_file``) carries ``{peer_id, message, file_id, random_id}``. The executor:

1. reads the clip from the file store (``LocalFileStore(config.storage.files_dir)``);
2. with the admin user token: ``video.save(group_id, is_private=1, name)`` -> POST ``video_file`` ->
   attachment ``video{owner}_{id}[_{access_key}]`` (playable in the chat);
3. without it (``UserTokenMissing``, error 27) or without the video right (error 15):
   ``docs.getMessagesUploadServer(type=doc, peer_id)`` -> POST ``file`` -> ``docs.save(file, title)`` ->
   attachment ``doc{owner}_{id}`` (the community token can do this);
4. ``messages.send`` with the row's ``random_id``, so a retry after a timeout never sends twice.

An upload finished before a failed send is remembered per row for this process, so a retry re-sends
without uploading the clip again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from vkbot.adapters.clips import ClipFiles, ClipMissing, Uploader, read_clip
from vkbot.api.errors import AccessDenied, GroupAuthFailed, UserTokenMissing
from vkbot.core.store.models import OutboxRow
from vkbot.effects.outbox import Executor, MethodCaller

__all__ = ["KIND_SEND_FILE", "ClipDelivery", "ClipMissing", "delivery_executors"]

log = logging.getLogger("vkbot.effects.delivery")

KIND_SEND_FILE = "send_file"
CLIP_NAME = "clip.mp4"
# Any of these means "no playable video from us": the document path still gets the clip to the family.
_NO_VIDEO = (UserTokenMissing, GroupAuthFailed, AccessDenied)


@dataclass
class ClipDelivery:
    """Executor for ``send_file`` rows; ``uploader`` is the ``VkClient`` (its ``upload`` posts multipart)."""

    files: ClipFiles
    uploader: Uploader
    group_id: int
    title: str = "Видео"  # the name the relative sees on the document or video
    _uploaded: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    async def __call__(self, row: OutboxRow, client: MethodCaller) -> Any:
        params = row.params
        peer_id = int(params["peer_id"])
        attachment = self._uploaded.get(row.key)
        if attachment is None:
            data = await self._read(str(params["file_id"]))
            attachment = await self._upload(client, peer_id, data)
            self._uploaded[row.key] = attachment
        message_id = await client.call(
            "messages.send",
            {
                "peer_id": peer_id,
                "message": params.get("message", ""),
                "attachment": attachment,
                "random_id": params["random_id"],  # the row's: VK drops a repeat of this send
            },
        )
        self._uploaded.pop(row.key, None)
        log.info(
            "clip sent to peer %s as a %s", peer_id, "video" if attachment.startswith("video") else "document"
        )
        return {"message_id": message_id, "attachment": attachment}

    async def _read(self, file_id: str) -> bytes:
        return await read_clip(self.files, file_id, "clip delivery")

    async def _upload(self, client: MethodCaller, peer_id: int, data: bytes) -> str:
        try:
            return await self._as_video(client, data)
        except _NO_VIDEO as exc:
            log.info("clip for peer %s goes as a document: %s", peer_id, exc)
            return await self._as_document(client, peer_id, data)

    async def _as_video(self, client: MethodCaller, data: bytes) -> str:
        saved = await client.call(
            "video.save",
            {"group_id": self.group_id, "is_private": 1, "wallpost": 0, "name": self.title},
            batch=False,
        )
        await self.uploader.upload(saved["upload_url"], "video_file", CLIP_NAME, data, "video/mp4")
        ref = f"video{saved['owner_id']}_{saved['video_id']}"
        # A private video opens in the chat only with its access key.
        return f"{ref}_{saved['access_key']}" if saved.get("access_key") else ref

    async def _as_document(self, client: MethodCaller, peer_id: int, data: bytes) -> str:
        server = await client.call(
            "docs.getMessagesUploadServer", {"type": "doc", "peer_id": peer_id}, batch=False
        )
        uploaded = await self.uploader.upload(server["upload_url"], "file", CLIP_NAME, data, "video/mp4")
        # docs.save is not allowed inside execute on real VK (vk-api.md 1.x): send it on its own.
        saved = await client.call("docs.save", {"file": uploaded["file"], "title": self.title}, batch=False)
        doc = saved.get("doc") or saved
        ref = f"doc{doc['owner_id']}_{doc['id']}"
        return f"{ref}_{doc['access_key']}" if doc.get("access_key") else ref


def delivery_executors(files: ClipFiles, uploader: Uploader, group_id: int) -> dict[str, Executor]:
    """Executors to merge into ``OutboxSender.executors``."""
    return {KIND_SEND_FILE: ClipDelivery(files, uploader, group_id)}
