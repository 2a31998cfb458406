"""Upload-server methods: photos and documents for messages, wall photos, video.save."""

from __future__ import annotations

import json
from typing import Any

from vkbot.sandbox.errors import VkError, invalid
from vkbot.sandbox.methods.base import USER, Ctx, method


def _owner(ctx: Ctx) -> int:
    return -ctx.state.group_id if ctx.caller.kind == "community" else ctx.caller.user_id


@method("photos.getMessagesUploadServer")
def get_messages_upload_server(ctx: Ctx) -> dict[str, Any]:
    return {
        "upload_url": ctx.sb.upload_url("photo"),
        "album_id": -3,
        "user_id": ctx.caller.user_id,
        "group_id": ctx.state.group_id,
    }


def _uploaded_photo(ctx: Ctx) -> str:
    p = ctx.params
    try:
        items = json.loads(p.str("photo"))
        name = items[0]["name"] if isinstance(items, list) else items["name"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise invalid("photo", "is not what the upload server returned") from None
    if not ctx.sb.check_upload_hash(name, p.str("hash")):
        raise VkError(121)
    return str(name)


@method("photos.saveMessagesPhoto", required=("photo", "server", "hash"))
def save_messages_photo(ctx: Ctx) -> list[dict[str, Any]]:
    name = _uploaded_photo(ctx)
    data = ctx.sb.media.read_file(name)
    return [ctx.sb.media.photo(_owner(ctx), name, data[0] if data else b"", album_id=-3)]


@method("photos.getWallUploadServer", tokens=USER)
def get_wall_upload_server(ctx: Ctx) -> dict[str, Any]:
    return {
        "upload_url": ctx.sb.upload_url("photo"),
        "album_id": -7,
        "user_id": ctx.caller.user_id,
        "group_id": ctx.state.group_id,
    }


@method("photos.saveWallPhoto", tokens=USER, required=("photo", "server", "hash"))
def save_wall_photo(ctx: Ctx) -> list[dict[str, Any]]:
    name = _uploaded_photo(ctx)
    data = ctx.sb.media.read_file(name)
    owner = -ctx.state.group_id if ctx.params.has("group_id") else ctx.caller.user_id
    return [
        ctx.sb.media.photo(
            owner, name, data[0] if data else b"", album_id=-7, text=ctx.params.str("caption", "")
        )
    ]


@method("docs.getMessagesUploadServer")
def get_docs_upload_server(ctx: Ctx) -> dict[str, Any]:
    kind = ctx.params.str("type", "doc")
    if kind not in ("doc", "audio_message", "graffiti"):
        raise invalid("type", "must be doc, audio_message or graffiti")
    return {"upload_url": ctx.sb.upload_url(f"doc-{kind}")}


@method("docs.getWallUploadServer")
def get_docs_wall_upload_server(ctx: Ctx) -> dict[str, Any]:
    return {"upload_url": ctx.sb.upload_url("doc-doc")}


@method("docs.save", required=("file",))
def docs_save(ctx: Ctx) -> dict[str, Any]:
    name, _, rest = ctx.params.str("file").partition("|")
    kind, _, digest = rest.partition("|")
    if not ctx.sb.check_upload_hash(name, digest):
        raise VkError(121)
    owner = _owner(ctx)
    if kind == "audio_message":
        return {"type": "audio_message", "audio_message": ctx.sb.media.audio_message(owner, name)}
    return {"type": "doc", "doc": ctx.sb.media.doc(owner, name, ctx.params.str("title", name))}


@method("video.save", tokens=USER)
def video_save(ctx: Ctx) -> dict[str, Any]:
    if not ctx.state.rights.get("video", True) or not ctx.state.rights.get("wall", True):
        raise VkError(15, "no access to call this method (the video right was not granted)")
    p = ctx.params
    owner = -ctx.state.group_id if p.has("group_id") else ctx.caller.user_id
    video = ctx.sb.media.video(owner, p.str("name", "Video"), p.str("description", ""))
    return {
        "access_key": video["access_key"],
        "description": video["description"],
        "owner_id": owner,
        "title": video["title"],
        "upload_url": ctx.sb.upload_url(f"video-{owner}_{video['id']}"),
        "video_id": video["id"],
    }


@method("video.delete", tokens=USER, required=("video_id",))
def video_delete(ctx: Ctx) -> int:
    """Removes a community video (a revoked memorial clip); error 15 without the right, 100 if unknown."""
    if not ctx.state.rights.get("video", True):
        raise VkError(15, "no access to call this method (the video right was not granted)")
    p = ctx.params
    key = f"video{p.int('owner_id', ctx.caller.user_id)}_{p.int('video_id')}"
    video = ctx.state.media.get(key)
    if video is None or video.get("deleted"):
        raise VkError(100, "one of the parameters specified was missing or invalid: no such video")
    video["deleted"] = True
    ctx.state.save("media", key, video)
    return 1
