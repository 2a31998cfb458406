"""`vkbot connect` / `vkbot disconnect`: obtain, show and forget the admin user token (VK ID, PKCE).

`vkbot connect` prints an authorize link, then reads the address VK ID redirected the browser to (pasted
on stdin). For scripts, `--print-link` only prints the link and `--redirect-url URL` finishes later: the
PKCE verifier waits, encrypted, in the database in between. Secrets are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from vkbot.commands.common import add_config_argument, add_json_argument, config_or_exit, print_json


def register(subparsers: Any) -> None:
    con = subparsers.add_parser(
        "connect", help="authorise the admin user token (wall, comments, bans, video)"
    )
    add_config_argument(con)
    add_json_argument(con)
    mode = con.add_mutually_exclusive_group()
    mode.add_argument("--redirect-url", default=None, help="finish with the address VK ID redirected to")
    mode.add_argument(
        "--print-link", action="store_true", help="only print the link (finish with --redirect-url)"
    )
    mode.add_argument("--status", action="store_true", help="show the token's state (no secrets)")
    mode.add_argument("--new-key", action="store_true", help="print a new key for VKBOT_SECRET_KEY")
    con.set_defaults(func=cmd_connect)

    dis = subparsers.add_parser("disconnect", help="forget the stored admin user token")
    add_config_argument(dis)
    dis.set_defaults(func=cmd_disconnect)


def _fail(message: str, status: int = 1) -> int:
    print(f"vkbot connect: {message}", file=sys.stderr)
    return status


def cmd_connect(args: argparse.Namespace) -> int:
    if args.new_key:
        from vkbot.auth.secretbox import ENV_KEY, new_key

        print(new_key())
        print(f"keep it secret; set it as {ENV_KEY} wherever vkbot runs", file=sys.stderr)
        return 0
    config = config_or_exit(args)
    engine = _migrated_engine(config)
    try:
        if args.status:
            return _show_status(engine, as_json=args.json)
        return asyncio.run(_connect(config, engine, args))
    finally:
        engine.dispose()


def cmd_disconnect(args: argparse.Namespace) -> int:
    from vkbot.auth.store import AuthStore

    config = config_or_exit(args)
    engine = _migrated_engine(config)
    try:
        forgotten = AuthStore(engine, None).forget()
    finally:
        engine.dispose()
    if forgotten:
        print("the admin user token is forgotten; wall posting, comment removal, bans and video upload stop")
        print("to withdraw the app's access in VK as well, remove the app in your VK account's settings")
    else:
        print("no admin user token was stored")
    return 0


def _migrated_engine(config: Any) -> Any:
    from vkbot.core.store.db import make_engine, migrate

    engine = make_engine(config.storage.database_url)
    migrate(engine)
    return engine


def _show_status(engine: Any, *, as_json: bool) -> int:
    from vkbot.auth.degraded import capabilities
    from vkbot.auth.store import AuthStore

    status = AuthStore(engine, None).status()
    caps = capabilities(status)
    if as_json:
        print_json({"token": status.as_dict(), "capabilities": {k: c.as_dict() for k, c in caps.items()}})
        return 0
    if status.connected:
        print(f"admin user token: connected (VK user {status.user_id})")
    elif status.needs_reconnect:
        print("admin user token: NEEDS RECONNECTING (run `vkbot connect`)")
    else:
        print("admin user token: not connected (run `vkbot connect`)")
    for label, value in (
        ("scope", status.scope),
        ("access token valid until", status.access_expires_at),
        ("last refresh", status.last_refresh_at),
        ("last error", status.last_error),
        ("authorize link waiting", "yes" if status.link_pending else None),
    ):
        if value is not None:
            print(f"  {label}: {value}")
    for feature, cap in caps.items():
        print(f"  {feature}: {'works' if cap.ok else cap.reason}")
    return 0


async def _connect(config: Any, engine: Any, args: argparse.Namespace) -> int:
    import aiohttp

    from vkbot.auth.pkce import challenge_s256, make_state, make_verifier
    from vkbot.auth.secretbox import MissingSecretKey, SecretBox, UnreadableSecret
    from vkbot.auth.settings import AuthSettings
    from vkbot.auth.store import AuthStore, ConnectError
    from vkbot.auth.vkid import VkIdError, parse_redirect, vkid_client

    settings: AuthSettings = getattr(config, "auth", None) or AuthSettings()
    missing = [f"vk.{k}" for k in ("app_client_id", "redirect_uri") if not getattr(config.vk, k)]
    if missing:
        return _fail(f"config: {', '.join(missing)} must be set (your VK ID app's settings)", 2)
    try:
        store = AuthStore(engine, SecretBox.from_environment(settings.secret_key.get_secret_value()))
    except MissingSecretKey as exc:
        return _fail(str(exc), 2)
    clock = args.clock
    async with aiohttp.ClientSession() as http:
        vkid = vkid_client(http, config)
        redirect_url = args.redirect_url
        if redirect_url is None:
            verifier, state = make_verifier(), make_state()
            await asyncio.to_thread(store.begin_connect, state, verifier, clock.now())
            print(vkid.authorize_url(challenge=challenge_s256(verifier), state=state, scope=settings.scope))
            if args.print_link:
                print(
                    "open the link as the community's admin, then run: "
                    "vkbot connect --redirect-url '<the address you were sent to>'",
                    file=sys.stderr,
                )
                return 0
            print(
                "open the link above as the community's admin, allow access, then paste the address "
                "your browser was sent to:",
                file=sys.stderr,
            )
            redirect_url = await asyncio.to_thread(sys.stdin.readline)
        try:
            redirect = parse_redirect(redirect_url)
            verifier = await asyncio.to_thread(
                store.pending_verifier, redirect.state, clock.now(), settings.pending_ttl_s
            )
            grant = await vkid.exchange(redirect, verifier)
        except (ConnectError, VkIdError, UnreadableSecret) as exc:
            return _fail(str(exc))
        await asyncio.to_thread(store.save_connected, grant, redirect.device_id, clock.now())
    print(f"connected: VK user {grant.user_id}, scope '{grant.scope}'; the token is stored encrypted")
    return _show_status(engine, as_json=args.json)
