"""Bots Long Poll on the sandbox (``/wh<group_id>?act=a_check&key&ts&wait``): replay by ts, failed 1/2/3."""

from __future__ import annotations

import json

from aiohttp import web

from vkbot.sandbox.faults import LONGPOLL
from vkbot.sandbox.wire import SANDBOX_KEY, apply_wire_faults, json_answer, merged_params

MAX_WAIT_S = 90


async def handle_poll(request: web.Request) -> web.Response:
    sb = request.app[SANDBOX_KEY]
    state = sb.state
    await apply_wire_faults(sb, request, LONGPOLL)
    values = await merged_params(request)
    if values.get("act") != "a_check":
        return json_answer({"failed": 2})
    key = values.get("key", "")
    if key not in state.lp_keys:
        return json_answer({"failed": 2})
    try:
        ts = int(values.get("ts", ""))
    except ValueError:
        return json_answer({"failed": 1, "ts": state.next_ts})
    if ts <= state.counters["trimmed"] or ts > state.next_ts:
        # Older than the kept window, or from a future this sandbox never reached: continue from what exists.
        return json_answer({"failed": 1, "ts": max(state.counters["trimmed"] + 1, min(ts, state.next_ts))})
    failed = sb.faults.longpoll_failed()
    if failed == 1:
        # "history outdated or partly lost": the client continues from the ts given here (an int, as VK sends).
        return json_answer({"failed": 1, "ts": ts})
    if failed in (2, 3):
        state.expire_lp_key(key)
        if failed == 3:
            state.drop_pending(ts)
        return json_answer({"failed": failed})
    try:
        wait = min(max(int(values.get("wait", "25")), 0), MAX_WAIT_S)
    except ValueError:
        wait = 25
    limit = state.options.longpoll_max_updates
    updates, next_ts = state.events_from(ts, limit)
    if not updates and wait:
        await state.wait_for_events(ts, wait)
        updates, next_ts = state.events_from(ts, limit)
    # One dumps for the whole answer: a drain of 20,000 events is 20 answers of 1,000.
    text = json.dumps({"ts": str(next_ts), "updates": updates}, ensure_ascii=False)
    return web.Response(text=text, content_type="application/json")


def add_routes(app: web.Application, group_id: int) -> None:
    app.router.add_route("*", f"/wh{group_id}", handle_poll)
