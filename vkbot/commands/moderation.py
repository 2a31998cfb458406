"""``vkbot moderation ...``: evaluate the filter on a labelled file, train the learned tier, prepare Detoxify."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
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
    ev.add_argument(
        "--tier", choices=("rules", "learned", "all"), default="all", help="which tiers decide (default all)"
    )
    ev.add_argument(
        "--memorial", action="store_true", help="every comment as under a memorial post (the stricter policy)"
    )
    ev.set_defaults(func=cmd_eval)

    tr = commands.add_parser("train", help="train the learned tier (deterministic) and write its model card")
    tr.add_argument("--out", type=Path, default=None, help="folder for learned.npz and MODEL_CARD.md")
    tr.add_argument(
        "--with-corrections", action="store_true", help="add the founder's labels from the database"
    )
    tr.add_argument(
        "--config", type=Path, default=None, help="app config TOML (its database, for corrections)"
    )
    tr.add_argument("--data", type=Path, default=None, help="folder of the corpora (default data/training)")
    tr.add_argument(
        "--labelled", type=Path, nargs="*", default=None, help="labelled JSONL sets (default tests/data)"
    )
    tr.add_argument("--only", default=None, help="train this candidate only (no comparison)")
    tr.set_defaults(func=cmd_train)

    ho = commands.add_parser("heldout", help="write the corpora's held-out part as labelled JSONL for eval")
    ho.add_argument("--out", type=Path, required=True, help="folder for heldout-*.jsonl")
    ho.add_argument("--data", type=Path, default=None, help="folder of the corpora (default data/training)")
    ho.set_defaults(func=cmd_heldout)

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
    learned = None
    if args.tier != "rules":
        from moderation.learned import LearnedTier

        tier = LearnedTier.from_settings(settings)
        if tier is None:
            print(
                f"--tier {args.tier}: the learned tier is off or its model {settings.learned_model} "
                "cannot be read (see the log); use --tier rules or `vkbot moderation train`",
                file=sys.stderr,
            )
            return EXIT_NO_MODEL
        learned = tier.assess
    try:
        classifier = OfflineClassifier(settings.data_dir)
        report = evaluate(items, classifier, settings, ml_scores, learned, args.tier, args.memorial)
    except (ImportError, RuntimeError) as exc:  # the model failed to load: ModelUnavailable is a RuntimeError
        print(f"--ml: the Detoxify model could not be used: {exc}", file=sys.stderr)
        return EXIT_NO_MODEL
    print(report.format_text())
    if args.json:
        print(json.dumps(report.summary(), ensure_ascii=False))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from moderation import training
    from moderation.model_card import write_card
    from moderation.settings import DEFAULT_LEARNED_MODEL

    if training.blas_settings() != training.BLAS_ENV:
        # OpenBLAS reads its kernel choice when numpy loads, long before this: fit in a new process.
        env = {**os.environ, **training.BLAS_ENV}
        return subprocess.call([sys.executable, "-m", "vkbot.cli", *args.argv], env=env)
    corrections: list[tuple[int, str, str]] = []
    if args.with_corrections:
        from vkbot.commands.common import database_session

        with database_session(args) as (session, _config):
            corrections = training.stored_corrections(session)
        print(f"corrections from the database: {len(corrections)}")
    out_dir = args.out or DEFAULT_LEARNED_MODEL.parent
    labelled = args.labelled if args.labelled is not None else training.default_labelled_sets()
    candidates = training.CANDIDATES
    if args.only:
        candidates = tuple(c for c in candidates if c.name == args.only)
        if not candidates:
            print(f"train: no candidate {args.only!r}", file=sys.stderr)
            return 2
    try:
        result = training.train(
            args.data or training.DEFAULT_CORPORA,
            labelled,
            out_dir / DEFAULT_LEARNED_MODEL.name,
            corrections=corrections,
            candidates=candidates,
            log=print,
        )
    except (OSError, ValueError, KeyError) as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    card = write_card(out_dir / "MODEL_CARD.md", result, args.clock.now().date())
    print(f"model: {result.model_path} ({result.model_path.stat().st_size:,} bytes), card: {card}")
    print(json.dumps({"version": result.header["version"], "comparison": result.comparison}))
    return 0


def cmd_heldout(args: argparse.Namespace) -> int:
    from moderation import training

    for path in training.write_heldout(args.data or training.DEFAULT_CORPORA, args.out):
        print(path)
    return 0


def cmd_fetch_model(args: argparse.Namespace) -> int:
    from moderation.provision import run_fetch_model

    settings = _settings(args.config)
    target = args.dir or Path(settings.ml_checkpoint).parent
    return int(run_fetch_model(target))
