"""Upload servers and file serving: multipart POST to an upload URL (any file field), GET /files/<name>."""

from __future__ import annotations

import json

from aiohttp import web

from vkbot.sandbox.wire import SANDBOX_KEY, json_answer

GROUP_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc000000301010018dd8db40000000049454e44ae426082"
)


async def _first_file(request: web.Request) -> tuple[bytes, str] | None:
    if not request.content_type.startswith("multipart/"):
        return None
    reader = await request.multipart()
    async for part in reader:
        if part.filename is not None:  # type: ignore[union-attr]
            data = await part.read()  # type: ignore[union-attr]
            return bytes(data), part.filename or "file.bin"  # type: ignore[union-attr]
    return None


async def handle_upload(request: web.Request) -> web.Response:
    sb = request.app[SANDBOX_KEY]
    kind = request.match_info["kind"]
    found = await _first_file(request)
    if found is None:
        return json_answer({"error": "no file part in the multipart body"})
    data, filename = found
    name = sb.media.store_file(data, filename)
    digest = sb.upload_hash(name)
    if kind == "photo":
        photo = json.dumps([{"name": name, "size": len(data)}])
        return json_answer({"server": 1, "photo": photo, "hash": digest})
    if kind.startswith("doc-"):
        return json_answer({"file": f"{name}|{kind[4:]}|{digest}"})
    if kind.startswith("video-"):
        key = kind[len("video-") :]
        video = sb.state.media.get(f"video{key}")
        if video is None:
            return json_answer({"error": "unknown video"})
        video["files"] = {"mp4": sb.media.url(name)}
        video["duration"] = max(1, len(data) // 100_000)
        sb.state.save("media", f"video{key}", video)
        return json_answer(
            {
                "video_hash": digest,
                "size": len(data),
                "owner_id": video["owner_id"],
                "video_id": video["id"],
                "direct_link": sb.media.url(name),
            }
        )
    raise web.HTTPNotFound()


async def handle_file(request: web.Request) -> web.Response:
    sb = request.app[SANDBOX_KEY]
    name = request.match_info["name"]
    if name == "group.png":
        return web.Response(body=GROUP_PNG, content_type="image/png")
    found = sb.media.read_file(name)
    if found is None:
        raise web.HTTPNotFound()
    return web.Response(body=found[0], content_type=found[1])


def add_routes(app: web.Application) -> None:
    app.router.add_post("/upload/{kind}", handle_upload)
    app.router.add_get("/files/{name}", handle_file)
