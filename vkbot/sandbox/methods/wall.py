"""wall.* methods: posts (guid de-duplication, postponed), comments and their deletion and restoration."""

from __future__ import annotations

from typing import Any

from vkbot.sandbox.errors import VkError, invalid
from vkbot.sandbox.methods.base import USER, Ctx, method, page

POST_USER = frozenset({"user"})  # wall.get/getComments also take service tokens, which the sandbox lacks


def _owner(ctx: Ctx) -> None:
    if ctx.params.int("owner_id") != -ctx.state.group_id:
        raise VkError(15, "the sandbox only has the community's wall (owner_id = -group_id)")


def _need_wall_right(ctx: Ctx) -> None:
    if not ctx.state.rights.get("wall", True):
        raise VkError(15, "no access to call this method (the wall right was not granted)")


def _attachments(ctx: Ctx, name: str = "attachments") -> list[dict[str, Any]]:
    try:
        return ctx.sb.media.resolve(ctx.params.str(name, ""))
    except ValueError as exc:
        raise invalid(name, f"has a bad item: {exc}") from None


def _public(post: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in post.items() if k not in ("deleted", "published_as", "guid")}


@method("wall.post", tokens=USER, required=("owner_id",))
def post(ctx: Ctx) -> dict[str, int]:
    _owner(ctx)
    _need_wall_right(ctx)
    p, state = ctx.params, ctx.state
    guid = p.str("guid", "")
    if guid and guid in state.guids:
        state.deduplicated += 1
        return {"post_id": state.guids[guid]}
    if p.has("post_id"):  # publish an existing postponed post now
        existing = state.posts.get(p.int("post_id"))
        if existing is None or existing["post_type"] != "postpone" or existing["deleted"]:
            raise VkError(100, "post_id is not a postponed post")
        existing["date"] = 0
        state.publish_due_posts()
        return {"post_id": existing["published_as"]}
    text, attachments = p.str("message", ""), _attachments(ctx)
    if not text and not attachments:
        raise invalid("message", "is empty")
    publish_date = p.int("publish_date", 0) or None
    created = state.add_post(
        text,
        attachments=attachments,
        publish_date=publish_date,
        created_by=ctx.caller.user_id,
        from_id=-state.group_id if p.flag("from_group") else ctx.caller.user_id,
        close_comments=p.flag("close_comments"),
    )
    if guid:
        created["guid"] = guid
        state.guids[guid] = created["id"]
        state.save("guid", guid, created["id"])
    return {"post_id": created["id"]}


def _post(ctx: Ctx) -> dict[str, Any]:
    _owner(ctx)
    found = ctx.state.posts.get(ctx.params.int("post_id"))
    if found is None or found["deleted"]:
        raise VkError(100, "post_id is invalid: no such post")
    return found


@method("wall.edit", tokens=USER, required=("owner_id", "post_id"))
def edit(ctx: Ctx) -> dict[str, int]:
    _need_wall_right(ctx)
    found = _post(ctx)
    if ctx.params.has("message"):
        found["text"] = ctx.params.str("message")
    if ctx.params.has("attachments"):
        found["attachments"] = _attachments(ctx)
    if ctx.params.has("publish_date") and found["post_type"] == "postpone":
        found["date"] = ctx.params.int("publish_date")
    ctx.state.save("post", found["id"], found)
    return {"post_id": found["id"]}


def _switch_comments(ctx: Ctx, open_: bool) -> int:
    _need_wall_right(ctx)
    found = _post(ctx)
    found["comments"]["can_post"] = 1 if open_ else 0  # the same answer again: VK keeps it as it is
    ctx.state.save("post", found["id"], found)
    return 1


@method("wall.closeComments", tokens=USER, required=("owner_id", "post_id"))
def close_comments(ctx: Ctx) -> int:
    return _switch_comments(ctx, open_=False)


@method("wall.openComments", tokens=USER, required=("owner_id", "post_id"))
def open_comments(ctx: Ctx) -> int:
    return _switch_comments(ctx, open_=True)


@method("wall.delete", tokens=USER, required=("owner_id", "post_id"))
def delete(ctx: Ctx) -> int:
    found = _post(ctx)
    found["deleted"] = True
    ctx.state.save("post", found["id"], found)
    return 1


@method("wall.get", tokens=POST_USER)
def get(ctx: Ctx) -> dict[str, Any]:
    if ctx.params.has("owner_id"):
        _owner(ctx)
    kind = ctx.params.str("filter", "all")
    posts = [p for p in ctx.state.posts.values() if not p["deleted"]]
    if kind == "postponed":
        posts = [p for p in posts if p["post_type"] == "postpone"]
    else:
        posts = [p for p in posts if p["post_type"] != "postpone"]
        if kind == "owner":
            posts = [p for p in posts if p["from_id"] == -ctx.state.group_id]
        elif kind == "others":
            posts = [p for p in posts if p["from_id"] != -ctx.state.group_id]
    posts.sort(key=lambda p: p["id"], reverse=True)
    return {"count": len(posts), "items": [_public(p) for p in page(posts, ctx.params, 20, 100)]}


@method("wall.getComments", tokens=POST_USER, required=("owner_id",))
def get_comments(ctx: Ctx) -> dict[str, Any]:
    _owner(ctx)
    post_id = ctx.params.int("post_id", 0)
    rows = [
        c
        for c in ctx.state.comments.values()
        if not c["deleted"] and (not post_id or c["post_id"] == post_id)
    ]
    rows.sort(key=lambda c: c["id"], reverse=ctx.params.str("sort", "asc") == "desc")
    if ctx.params.has("start_comment_id"):
        start = ctx.params.int("start_comment_id")
        rows = [c for c in rows if c["id"] >= start]
    items = [{k: v for k, v in c.items() if k != "deleted"} for c in page(rows, ctx.params, 10, 100)]
    return {
        "count": len(rows),
        "items": items,
        "current_level_count": len(rows),
        "can_post": True,
        "show_reply_button": True,
        "groups_can_post": True,
    }


@method("wall.createComment", required=("owner_id", "post_id"))
def create_comment(ctx: Ctx) -> dict[str, Any]:
    found = _post(ctx)
    p = ctx.params
    text, attachments = p.str("message", ""), _attachments(ctx)
    if not text and not attachments and not p.has("sticker_id"):
        raise invalid("message", "is empty")
    from_community = ctx.caller.kind == "community" or p.has("from_group")
    comment = ctx.state.add_comment(
        found["id"],
        -ctx.state.group_id if from_community else ctx.caller.user_id,
        text,
        p.int("reply_to_comment", 0) or None,
        attachments,
    )
    return {"comment_id": comment["id"], "parents_stack": comment["parents_stack"]}


def _comment(ctx: Ctx) -> dict[str, Any]:
    _owner(ctx)
    found = ctx.state.comments.get(ctx.params.int("comment_id"))
    if found is None:
        raise VkError(100, "comment_id is invalid: no such comment")
    return found


@method("wall.deleteComment", tokens=USER, required=("owner_id", "comment_id"))
def delete_comment(ctx: Ctx) -> int:
    found = _comment(ctx)
    if found["deleted"]:
        raise VkError(100, "comment_id is invalid: the comment is already deleted")
    found["deleted"] = True
    ctx.state.save("comment", found["id"], found)
    ctx.state.emit(
        "wall_reply_delete",
        {
            "owner_id": -ctx.state.group_id,
            "id": found["id"],
            "deleter_id": ctx.caller.user_id,
            "user_id": ctx.caller.user_id,
            "post_id": found["post_id"],
        },
    )
    return 1


@method("wall.restoreComment", tokens=USER, required=("owner_id", "comment_id"))
def restore_comment(ctx: Ctx) -> int:
    found = _comment(ctx)
    if not found["deleted"]:
        raise VkError(100, "comment_id is invalid: the comment is not deleted")
    found["deleted"] = False
    ctx.state.save("comment", found["id"], found)
    ctx.state.emit("wall_reply_restore", ctx.state.comment_event(found))
    return 1
