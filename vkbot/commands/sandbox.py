"""`vkbot sandbox`: run the VK sandbox until SIGTERM or Ctrl-C, printing ``Sandbox: <root URL>`` once it listens."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sandbox", help="run the local VK emulator (API, long poll, control API)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    parser.add_argument("--group-id", type=int, default=1001)
    parser.add_argument("--token", default="sandbox-community-token", help="the community token it accepts")
    parser.add_argument("--data", type=Path, default=None, help="keep the state in this folder")
    parser.add_argument("--rate", type=int, default=20, help="requests per second per community token")
    parser.add_argument("--user-rate", type=int, default=3, help="requests per second per user token")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--user-token-ttl", type=int, default=3600, help="user access token lifetime, seconds"
    )
    parser.add_argument("--admin-user-id", type=int, default=1, help="who VK ID signs in")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from vkbot.sandbox import SandboxOptions, running_sandbox

    options = SandboxOptions(
        host=args.host,
        port=args.port,
        group_id=args.group_id,
        community_token=args.token,
        data_dir=args.data,
        rate_per_s=args.rate,
        seed=args.seed,
        user_token_ttl_s=args.user_token_ttl,
        admin_user_id=args.admin_user_id,
        user_rate_per_s=args.user_rate,
    )

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with running_sandbox(options) as sb:
            print(f"Sandbox: {sb.url}", flush=True)
            await stop.wait()

    asyncio.run(serve())
    return 0
