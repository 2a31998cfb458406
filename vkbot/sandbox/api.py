"""The /method/<name> route: VK's request parsing and ``{"response"}``/``{"error"}`` envelopes."""

from __future__ import annotations

from aiohttp import web

from vkbot.sandbox.wire import SANDBOX_KEY, apply_wire_faults, bearer, hang, json_answer, merged_params


async def handle_method(request: web.Request) -> web.Response:
    sb = request.app[SANDBOX_KEY]
    name = request.match_info["name"]
    await apply_wire_faults(sb, request, name)
    values = await merged_params(request)
    token = bearer(request, values)
    values.pop("access_token", None)
    body, withhold = sb.call(name, values, token)
    if withhold:
        return await hang(sb, request)
    return json_answer(body)


def add_routes(app: web.Application) -> None:
    app.router.add_route("*", "/method/{name}", handle_method)
