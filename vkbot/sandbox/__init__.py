"""The VK sandbox: a real aiohttp server on loopback speaking VK's wire protocol, for tests, demo and benchmarks.

Public API:

- ``SandboxOptions(host, port, group_id, community_token, data_dir, rate_per_s, seed, user_token_ttl_s=3600,
  admin_user_id=1, user_rate_per_s=3, ...)``: how to start one (``port=0`` picks a free port).
- ``async with running_sandbox(options) as sb:`` serves it in the current event loop; ``sb.url`` is the root
  URL without a trailing slash, ``sb.api_url`` is ``f"{sb.url}/method/"``, ``sb.state`` the live
  ``SandboxState`` for in-process inspection.
- ``start_sandbox_thread(options) -> SandboxThread``: the same in its own thread and loop (``.url``,
  ``.api_url``, ``.stop()``), so sync clients such as vk_api can run in the test's thread.
- ``SandboxControl(session, url)``: async client of the control API (see ``vkbot.sandbox.control`` for every
  endpoint); ``SandboxControlError`` when it refuses a request.

What it serves (root URL R): VK methods at ``R/method/<name>`` (``vkbot.sandbox.methods``; ``execute`` via
``vkbot.sandbox.execute``), Bots Long Poll at the ``server`` that ``groups.getLongPollServer`` returns
(``vkbot.sandbox.longpoll``), upload servers and files (``vkbot.sandbox.uploads``), VK ID at ``R/authorize`` and
``R/oauth2/auth`` (``vkbot.sandbox.vkid``), the control API under ``R/sandbox/`` (``vkbot.sandbox.control``)
and fault rules (``vkbot.sandbox.faults``). State persists in ``data_dir`` (``vkbot.sandbox.journal``).

It honours the community's Long Poll settings (``groups.setLongPollSettings``/``getLongPollSettings``):
unticked event types are not delivered, and the ``api_version`` shapes the events (below 5.103
``message_new``'s object is the bare message; only 5.199 events carry ``v``). Its control API injects what
real VK sends: group chats and their service actions, quotes, forwards with their own ids and authors,
photos without ``orig_photo``, video/wall/poll/link attachments, clients without keyboards.
"""

from vkbot.sandbox.client import SandboxControl, SandboxControlError
from vkbot.sandbox.options import DEFAULT_COMMUNITY_TOKEN, SandboxOptions
from vkbot.sandbox.server import RunningSandbox, SandboxThread, running_sandbox, start_sandbox_thread
from vkbot.sandbox.state import SandboxState

__all__ = [
    "DEFAULT_COMMUNITY_TOKEN",
    "RunningSandbox",
    "SandboxControl",
    "SandboxControlError",
    "SandboxOptions",
    "SandboxState",
    "SandboxThread",
    "running_sandbox",
    "start_sandbox_thread",
]
