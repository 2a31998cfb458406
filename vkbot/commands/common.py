"""Helpers shared by command modules: loading config, printing tables or JSON, running until a signal."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vkbot.config import Config, ConfigError, load_config


def add_config_argument(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """``--config`` before the command (``vkbot --config x.toml orders list``) or after it; a command's
    own default must not hide the one given before it, hence SUPPRESS below the top level."""
    parser.add_argument(
        "--config",
        type=Path,
        default=None if top_level else argparse.SUPPRESS,
        help="TOML config file (see config.example.toml)",
    )


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


EXIT_NO_DATABASE = 3


def config_or_exit(args: argparse.Namespace) -> Config:
    try:
        return load_config(args.config)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"config error: {problem}", file=sys.stderr)
        raise SystemExit(2) from exc


def database_exists(url: str) -> bool:
    """Whether the suite's database is there: a SQLite file, or a server database with our schema."""
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database
        return name is not None and name not in ("", ":memory:") and Path(name).is_file()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table("alembic_version")
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def require_database(args: argparse.Namespace, config: Config) -> None:
    """Commands that read never create a database: without one, say which was looked for, exit 3."""
    from sqlalchemy.engine import make_url

    url = config.storage.database_url
    if database_exists(url):
        return
    shown = make_url(url).render_as_string(hide_password=True)
    source = (
        f"from {args.config}"
        if getattr(args, "config", None)
        else "the default: no --config given and no VKBOT_STORAGE__DATABASE_URL set"
    )
    print(
        f"no database at {shown} ({source}); `vkbot run` creates it, or pass the --config of your install",
        file=sys.stderr,
    )
    raise SystemExit(EXIT_NO_DATABASE)


@contextmanager
def database_session(args: argparse.Namespace, *, create: bool = False) -> Iterator[tuple[Any, Config]]:
    """A writing session on the configured, migrated database, committed when the block ends cleanly.

    Without ``create`` a missing database is an error naming where it was looked for (``require_database``).
    """
    from sqlmodel import Session

    from vkbot.core.store.db import begin_write, make_engine, migrate

    config = config_or_exit(args)
    if not create:
        require_database(args, config)
    engine = make_engine(config.storage.database_url)
    try:
        # Her terminal shows her answers, not the migration's chatter (it is logged when it matters).
        if not getattr(args, "log_level", None):
            for name in ("alembic", "vkbot.core.store"):
                logging.getLogger(name).setLevel(logging.WARNING)
        migrate(engine)
        with Session(engine) as session:
            begin_write(session)
            yield session, config
            session.commit()
    finally:
        engine.dispose()


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """A plain aligned table; cells are shown as text, cut at 60 characters."""
    cells = [[_cell(row.get(col)) for col in columns] for row in rows]
    widths = [max([len(col), *(len(r[i]) for r in cells)]) for i, col in enumerate(columns)]
    print("  ".join(col.ljust(w) for col, w in zip(columns, widths, strict=True)))
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    if not rows:
        print("(none)")


def print_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], as_json: bool) -> None:
    """A listing: JSON for scripts (``--json``), a table for people."""
    if as_json:
        print_json(list(rows))
    else:
        print_table(rows, columns)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str))


def run_until_signal(main: Callable[[asyncio.Event], Awaitable[int]]) -> int:
    """Run ``main(stop)``; SIGINT and SIGTERM set ``stop`` so it can shut down cleanly and exit 0."""

    async def runner() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return await main(stop)

    try:
        return asyncio.run(runner())
    except KeyboardInterrupt:
        return 0
