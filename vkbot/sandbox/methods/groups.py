"""groups.* and users.* methods: the community itself, long-poll settings, bans, user profiles."""

from __future__ import annotations

import time
from typing import Any

from vkbot.sandbox.errors import VkError, invalid
from vkbot.sandbox.methods.base import USER, Ctx, method, page
from vkbot.sandbox.state import version_tuple

EVENT_FLAGS = (
    "message_new",
    "message_reply",
    "message_edit",
    "message_allow",
    "message_deny",
    "message_event",
    "message_typing_state",
    "wall_reply_new",
    "wall_reply_edit",
    "wall_reply_delete",
    "wall_reply_restore",
    "wall_post_new",
    "wall_repost",
    "group_join",
    "group_leave",
    "user_block",
    "user_unblock",
)


def _check_group(ctx: Ctx, required: bool = True) -> None:
    if not ctx.params.has("group_id"):
        if required:
            raise invalid("group_id", "is undefined")
        return
    if abs(ctx.params.int("group_id")) != ctx.state.group_id:
        raise VkError(15, "no access to this community")


@method("groups.getById")
def get_by_id(ctx: Ctx) -> dict[str, Any]:
    ids = ctx.params.str("group_ids", "") or ctx.params.str("group_id", "")
    if ids and any(
        int(part) != ctx.state.group_id for part in ids.split(",") if part.strip().lstrip("-").isdigit()
    ):
        raise VkError(100, "group_ids is invalid")
    return {"groups": [ctx.sb.group_object()], "profiles": []}


@method("groups.getLongPollServer")
def get_long_poll_server(ctx: Ctx) -> dict[str, Any]:
    _check_group(ctx)
    return {
        "key": ctx.state.new_lp_key(),
        "server": f"{ctx.sb.base_url}/wh{ctx.state.group_id}",
        "ts": str(ctx.state.next_ts),
    }


@method("groups.setLongPollSettings")
def set_long_poll_settings(ctx: Ctx) -> int:
    """Changes what the community's Long Poll delivers from now on (``SandboxState.emit`` honours it)."""
    _check_group(ctx)
    settings = ctx.state.lp_settings
    p = ctx.params
    if p.has("enabled"):
        settings["is_enabled"] = p.flag("enabled")
    if p.has("api_version"):
        if version_tuple(p.str("api_version")) < (5, 0):
            raise invalid("api_version", "is invalid")
        settings["api_version"] = p.str("api_version")
    for flag in EVENT_FLAGS:
        if p.has(flag):
            settings["events"][flag] = 1 if p.flag(flag) else 0
    ctx.state.save_lp_settings()
    return 1


@method("groups.getLongPollSettings")
def get_long_poll_settings(ctx: Ctx) -> dict[str, Any]:
    _check_group(ctx)
    settings = ctx.state.lp_settings
    events = {flag: settings["events"].get(flag, 1) for flag in EVENT_FLAGS}
    return {"is_enabled": settings["is_enabled"], "api_version": settings["api_version"], "events": events}


def _ban_target(ctx: Ctx) -> int:
    p = ctx.params
    target = p.int("owner_id") if p.has("owner_id") else p.int("user_id")
    if target == 0:
        raise invalid("owner_id", "is invalid")
    return target


@method("groups.ban", tokens=USER, required=("group_id",))
def ban(ctx: Ctx) -> int:
    _check_group(ctx)
    target, p, state = _ban_target(ctx), ctx.params, ctx.state
    info = {
        "admin_id": ctx.caller.user_id,
        "date": int(time.time()),
        "reason": p.int("reason", 0),
        "comment": p.str("comment", ""),
        "comment_visible": p.flag("comment_visible"),
        "end_date": p.int("end_date", 0),
    }
    state.bans[target] = info
    state.save("ban", target, info)
    state.emit(
        "user_block",
        {
            "admin_id": info["admin_id"],
            "user_id": target,
            "unblock_date": info["end_date"],
            "reason": info["reason"],
            "comment": info["comment"],
        },
    )
    return 1


@method("groups.unban", tokens=USER, required=("group_id",))
def unban(ctx: Ctx) -> int:
    _check_group(ctx)
    target, state = _ban_target(ctx), ctx.state
    if state.bans.pop(target, None) is not None:
        if state.journal is not None:
            state.journal.delete("ban", target)
        state.emit("user_unblock", {"admin_id": ctx.caller.user_id, "user_id": target, "by_end_date": 0})
    return 1


@method("groups.getBanned")
def get_banned(ctx: Ctx) -> dict[str, Any]:
    _check_group(ctx, required=False)
    rows = []
    for user_id, info in ctx.state.bans.items():
        if ctx.params.has("owner_id") and ctx.params.int("owner_id") != user_id:
            continue
        if user_id > 0:
            rows.append({"type": "profile", "profile": ctx.sb.profile(user_id), "ban_info": info})
        else:
            rows.append(
                {"type": "group", "group": {"id": -user_id, "name": f"Club {-user_id}"}, "ban_info": info}
            )
    return {"count": len(rows), "items": page(rows, ctx.params, 20, 200)}


@method("users.get")
def users_get(ctx: Ctx) -> list[dict[str, Any]]:
    raw = ctx.params.str("user_ids", "") or ctx.params.str("user_id", "")
    if not raw:
        if ctx.caller.kind != "user":
            return []
        return [ctx.sb.profile(ctx.caller.user_id)]
    ids = []
    for part in raw.split(","):
        part = part.strip().removeprefix("id")
        if not part.isdigit():
            raise VkError(113)
        ids.append(int(part))
    return [ctx.sb.profile(user_id) for user_id in ids]
