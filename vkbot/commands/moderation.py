"""``vkbot moderation ...``: evaluate the filter on a labelled file, prepare the Detoxify model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_NO_MODEL = 2


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("moderation", help="moderation: evaluation and the Detoxify model")
    commands = group.add_subparsers(dest="moderation_command", required=True, metavar="SUBCOMMAND")

    ev = commands.add_parser("eval", help="score the filter on a labelled JSONL file")
    ev.add_argument("file", type=Path, help="one object a line: text, lang, channel, label, category")
    ev.add_argument("--json", action="store_true", help="end with one JSON object of the figures")
    ev.add_argument(
        "--config", type=Path, default=argparse.SUPPRESS, help="app config TOML (its [moderation] applies)"
    )
    ev.add_argument("--ml", action="store_true", help="add the Detoxify tier (needs prepared weights)")
    ev.set_defaults(func=cmd_eval)

    fetch = commands.add_parser("fetch-model", help="download and prepare Detoxify multilingual (internet)")
    fetch.add_argument("--dir", type=Path, default=None, help="target folder (default: from config)")
    fetch.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="app config TOML")
    fetch.set_defaults(func=cmd_fetch_model)

    from vkbot.commands.quarantine import add_hide_command

    add_hide_command(commands)


def _settings(config_path: Path | None) -> Any:
    from moderation.settings import ModerationSettings
    from vkbot.config import ConfigError, load_config

    if config_path is None:
        return ModerationSettings()
    try:
        return load_config(config_path).moderation
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"config error: {problem}", file=sys.stderr)
        raise SystemExit(2) from exc


def _ml_scorer(settings: Any) -> Any:
    """The Detoxify scorer from the configured files, or None after printing why it cannot run."""
    checkpoint, hf_dir = Path(settings.ml_checkpoint), Path(settings.ml_hf_dir)
    missing = [str(p) for p in (checkpoint, hf_dir) if not p.exists()]
    if missing:
        print(
            f"--ml: no prepared Detoxify weights ({', '.join(missing)} missing); "
            "run `vkbot moderation fetch-model` where there is internet, or set "
            "[moderation] ml_checkpoint / ml_hf_dir",
            file=sys.stderr,
        )
        return None
    try:
        from moderation.detoxify_tier import DetoxifyScorer
    except ImportError as exc:
        print(f"--ml needs the ml extra ({exc.name} is missing)", file=sys.stderr)
        return None
    return DetoxifyScorer(checkpoint, hf_dir, batch_size=settings.ml_batch_size)


def cmd_eval(args: argparse.Namespace) -> int:
    from moderation.classifier import OfflineClassifier
    from moderation.evaluation import evaluate, load_items

    settings = _settings(args.config)
    try:
        items = load_items(args.file)
    except (OSError, ValueError) as exc:
        print(f"eval: {exc}", file=sys.stderr)
        return 2
    ml_scores = None
    if args.ml:
        scorer = _ml_scorer(settings)
        if scorer is None:
            return EXIT_NO_MODEL
        ml_scores = scorer.score_batch
    try:
        report = evaluate(items, OfflineClassifier(settings.data_dir), settings, ml_scores)
    except (ImportError, RuntimeError) as exc:  # the model failed to load: ModelUnavailable is a RuntimeError
        print(f"--ml: the Detoxify model could not be used: {exc}", file=sys.stderr)
        return EXIT_NO_MODEL
    print(report.format_text())
    if args.json:
        print(json.dumps(report.summary(), ensure_ascii=False))
    return 0


def cmd_fetch_model(args: argparse.Namespace) -> int:
    from moderation.provision import run_fetch_model

    settings = _settings(args.config)
    target = args.dir or Path(settings.ml_checkpoint).parent
    return int(run_fetch_model(target))
