"""Benchmark of the moderation tiers: rules and learned msg/s on one core, Detoxify architecture msg/s on CPU.

Usage: ``.venv/bin/python bench/moderation.py [--quick] [--data FILE.jsonl]``. Human-readable lines
first; the last line is one JSON object (``offline_per_s``, ``learned_per_s``, ``tiers_per_s``,
``combined_per_s``, ``learned_load_s``, ``learned_rss_mb``, ``ml_arch_batch1_per_s``, ``ml_arch_batch32_per_s``,
``ml_random_weights``...). A part whose package is missing reports null.

The learned tier memoises words, so cycling over one small set flatters it: ``learned_cold_per_s`` is
one pass of a fresh model over texts it has not seen (the held-out RUSSE-2022 dev comments).

``combined_per_s`` is the suite's whole moderation of a message (what ``vkbot.core.pipeline`` does per
message less its database reads: both tiers, the context checks, the verdict; see ``_paths``);
``tiers_per_s`` times ``classify`` + ``assess`` alone (what ``combined_per_s`` meant before
2026-12-07 13:00 UTC).

``--against DIR`` also loads the moderation package of another checkout (say the base commit's) beside
ours and alternates the two, seven slices each, on the rules alone, the learned score alone and the
suite's path: ``offline_vs_baseline``, ``learned_vs_baseline`` and ``combined_vs_baseline`` are the
medians of the paired ratios, steadier on a shared machine than two separate runs;
``..._vs_baseline_cpu`` the same on the thread's CPU time, which leaves out the time other processes
hold the core (steadier still under load; it still counts their effect on the caches).

The ML figures use a model of Detoxify multilingual's architecture and size (XLM-R base, 16-output
head) with RANDOM weights: they measure what the tier costs, never what it catches. Inputs are fixed
token ids (``--tokens`` per message, 32 by default, a short message); tokenisation is excluded.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: `python bench/moderation.py`
DEV_SET = REPO / "tests" / "data" / "moderation-dev.jsonl"
_SLICES = 7  # alternating slices per checkout in --against  # a copy of ../shared/data/moderation-dev.jsonl
# XLM-R base geometry (xlm-roberta-base config.json) with Detoxify multilingual's 16-output head.
XLMR_BASE: dict[str, Any] = {
    "vocab_size": 250_002,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "max_position_embeddings": 514,
    "type_vocab_size": 1,
    "layer_norm_eps": 1e-5,
    "pad_token_id": 1,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "num_labels": 16,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 1 s per measurement instead of 3")
    parser.add_argument(
        "--data", type=Path, default=DEV_SET, help="texts to classify (JSONL with text, channel)"
    )
    parser.add_argument("--tokens", type=int, default=32, help="tokens per message for the ML figures")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's, all cores)"
    )
    parser.add_argument("--skip-ml", action="store_true", help="leave out the ML figures (null)")
    parser.add_argument("--against", type=Path, help="another checkout to compare rules + learned with")
    args = parser.parse_args(argv)
    seconds = 1.0 if args.quick else 3.0
    texts = _texts(args.data)
    load_start = round(os.getloadavg()[0], 2)
    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "texts": len(texts),
    }
    print(f"{result['date']}  {result['machine']}  {len(texts)} texts from {args.data}")
    with _one_core():
        result.update(_rules(texts, seconds))
        result.update(_learned(texts, seconds))
        if result.get("offline_per_s") and result.get("combined_per_s"):
            result["combined_vs_offline"] = round(result["combined_per_s"] / result["offline_per_s"], 3)
        if args.against:
            result.update(_against(texts, seconds, args.against.resolve()))
    if args.skip_ml:
        result.update(ml_arch_batch1_per_s=None, ml_arch_batch32_per_s=None, ml_note="skipped (--skip-ml)")
    else:
        result.update(_ml(seconds, args.tokens, args.threads))
    # Other work on the machine skews the figures a lot (2-4x seen here): keep the load beside them.
    result["loadavg_1m_start_end"] = [load_start, round(os.getloadavg()[0], 2)]
    print(f"load average (1 min) at start/end: {result['loadavg_1m_start_end']}")
    print(json.dumps(result))
    return 0


def _texts(path: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["text"], row.get("channel", "message")) for row in rows]


@contextmanager
def _one_core() -> Iterator[None]:
    """Pin to one CPU so "per core" is literal (rules are pure Python, one thread anyway)."""
    if not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def _rate(classify: Callable[[str, str], object], texts: list[tuple[str, str]], seconds: float) -> float:
    """Messages per second, cycling over ``texts`` for at least ``seconds``."""
    return _rates(classify, texts, seconds)[0]


def _rates(
    classify: Callable[[str, str], object], texts: list[tuple[str, str]], seconds: float
) -> tuple[float, float]:
    """Messages per second of wall time and of this thread's CPU time, cycling over ``texts`` for at
    least ``seconds``. CPU time leaves out the time other processes hold the core, which wall time counts."""
    for text, channel in texts:  # warm caches and lazy compilation
        classify(text, channel)
    done, started, cpu = 0, time.perf_counter(), time.thread_time()
    while (elapsed := time.perf_counter() - started) < seconds:
        for text, channel in texts:
            classify(text, channel)
        done += len(texts)
    return done / elapsed, done / (time.thread_time() - cpu)


def _rules(texts: list[tuple[str, str]], seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {"offline_per_s": None, "detected_profanity_per_s": None}
    try:
        from moderation.classifier import OfflineClassifier
    except ImportError as exc:
        out["offline_note"] = f"offline tier not importable yet ({exc})"
        print(f"offline tier: skipped, {out['offline_note']}")
    else:
        classifier = OfflineClassifier()
        out["offline_per_s"] = round(_rate(classifier.classify, texts, seconds))
        print(f"offline tier (ours), 1 core:       {out['offline_per_s']:>9,} msg/s")
    try:
        from detected_profanity import contains_profanity
    except ImportError:
        out["detected_profanity_note"] = "not installed (pip install detected-profanity)"
        print(f"detected-profanity baseline: skipped, {out['detected_profanity_note']}")
    else:
        out["detected_profanity_per_s"] = round(
            _rate(lambda text, _: contains_profanity(text), texts, seconds)
        )
        print(f"detected-profanity 0.1.0, 1 core:  {out['detected_profanity_per_s']:>9,} msg/s")
    if out["offline_per_s"] and out["detected_profanity_per_s"]:
        out["offline_vs_detected_profanity"] = round(
            out["offline_per_s"] / out["detected_profanity_per_s"], 2
        )
        print(f"ratio ours/detected-profanity:     {out['offline_vs_detected_profanity']:>9}x")
    return out


def _rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _cold_texts() -> list[str]:
    import csv

    path = REPO / "data" / "training" / "russe-detox-2022" / "dev.tsv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [row[key] for row in rows for key in ("toxic_comment", "neutral_comment1") if row.get(key)]


def _learned(texts: list[tuple[str, str]], seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {"learned_per_s": None, "tiers_per_s": None, "combined_per_s": None}
    try:
        from moderation.learned import LearnedModel, LearnedTier
    except ImportError as exc:
        out["learned_note"] = f"learned tier not importable ({exc})"
        print(f"learned tier: skipped, {out['learned_note']}")
        return out
    before = _rss_mb()
    started = time.perf_counter()
    model = LearnedModel.load()
    out["learned_load_s"] = round(time.perf_counter() - started, 3)
    after = _rss_mb()
    out["learned_rss_mb"] = round(after - before, 1) if before is not None and after is not None else None
    out["learned_version"] = model.version
    tier = LearnedTier(model)
    cold = _cold_texts()
    started = time.perf_counter()
    for text in cold:
        tier.assess(text)
    out["learned_cold_per_s"] = round(len(cold) / (time.perf_counter() - started))
    out["learned_per_s"] = round(_rate(lambda text, _: tier.assess(text), texts, seconds))
    paths = _paths(None)
    out["tiers_per_s"] = round(_rate(paths["tiers"], texts, seconds))
    out["combined_per_s"] = round(_rate(paths["combined"], texts, seconds))
    out["process_rss_mb"] = _rss_mb()
    print(
        f"learned tier, 1 core:               {out['learned_per_s']:>9,} msg/s "
        f"(cold, {len(cold)} unseen texts: {out['learned_cold_per_s']:,} msg/s)\n"
        f"tiers_per_s (classify + assess only, 1 core): {out['tiers_per_s']:,} msg/s\n"
        f"combined_per_s (the suite's moderation of a message, 1 core): {out['combined_per_s']:,} msg/s\n"
        f"learned model load {out['learned_load_s']} s, +{out['learned_rss_mb']} MB resident; "
        f"process {out['process_rss_mb']:.0f} MB"
    )
    return out


Moderate = Callable[[str, str], object]


@contextmanager
def moderation_of(root: Path | None) -> Iterator[None]:
    """Imports of ``moderation`` inside come from the checkout at ``root`` (ours when None); ours are set
    aside meanwhile and restored after, so two checkouts' code can be timed side by side."""
    ours = {k: m for k, m in sys.modules.items() if k == "moderation" or k.startswith("moderation.")}
    if root is not None:
        for name in ours:
            del sys.modules[name]
        sys.path.insert(0, str(root))
    try:
        yield
    finally:
        if root is not None:
            sys.path.remove(str(root))
            for name in [k for k in sys.modules if k == "moderation" or k.startswith("moderation.")]:
                del sys.modules[name]
            sys.modules.update(ours)


def _paths(root: Path | None) -> dict[str, Moderate]:
    """The rules alone (``offline``), the learned score alone (``learned``), the two tiers (``tiers``)
    and the suite's whole moderation of a message (``combined``) with the checkout at ``root`` (ours
    when None), imported under the same module names beside ours: ours are set aside meanwhile.

    ``combined`` is what ``vkbot.core.pipeline`` does per message (``_moderate_message``, ``_on_comment``)
    less its database reads: classify; the order words; the learned score; the verdict; and only when
    the rest of the context could change it (``policy.decide_unless_context_matters``, earlier
    ``decide_unless_hiding``; always with a checkout that lacks both) the rest of the context (a question, reads as a relative, spared), the verdict with it
    and for a private message the verdict as if the conversation were protected (the pipeline looks
    the conversation up only when they differ). It returns both verdicts (bench/verdicts.py dumps them).
    """
    with moderation_of(root):
        from moderation import policy
        from moderation.classifier import OfflineClassifier
        from moderation.learned import LearnedModel, LearnedTier
        from moderation.policy import ModerationContext, Verdict, asks, decide
        from moderation.relative import reads_as_relative, spared
        from moderation.settings import ModerationSettings

        # A checkout before the unguard checks (relative.unguarded) has no such context field.
        unguarded: Callable[[str], str] | None = getattr(
            importlib.import_module("moderation.relative"), "unguarded", None
        )
        # ... nor one before the check of a death told (relative.tells_death).
        tells_death: Callable[..., bool] | None = getattr(
            importlib.import_module("moderation.relative"), "tells_death", None
        )

        classifier, tier, settings = (
            OfflineClassifier(),
            LearnedTier(LearnedModel.load()),
            ModerationSettings(),
        )
        # Named decide_unless_hiding before the learned score stopped marking protected conversations.
        unless_hiding: Callable[..., Verdict | None] = getattr(
            policy,
            "decide_unless_context_matters",
            getattr(policy, "decide_unless_hiding", lambda *args, **kwargs: None),
        )

    def tiers(text: str, channel: str) -> None:
        classifier.classify(text, channel)
        tier.assess(text)

    def suite(text: str, channel: str) -> tuple[Verdict, Verdict | None]:
        """(the verdict, for a private message the verdict as if the conversation were protected)."""
        message = channel != "comment"
        classification = classifier.classify(text, "message" if message else "comment")
        base = ModerationContext(
            channel="message" if message else "comment",
            has_order_content=message and classification.has_order_words,
        )
        learned = tier.assess(text)
        # When no tier would hide it, the rest of the context changes nothing (a checkout without
        # decide_unless_context_matters, say an older baseline, always works it out).
        verdict = unless_hiding(classification, base, settings, learned=learned)
        if verdict is not None:
            return verdict, verdict if message else None
        extra: dict[str, Any] = {} if unguarded is None else {"unguarded": unguarded(text)}
        if tells_death is not None:
            extra["told_death"] = message and tells_death(text, classification)
        context = dataclasses.replace(
            base,
            question=asks(text),
            relative=reads_as_relative(text, classification, classifier),
            spared=spared(text),
            **extra,
        )
        verdict = decide(classification, context, settings, learned=learned)
        if not message:
            return verdict, None
        protected = dataclasses.replace(context, protected=True)
        return verdict, decide(classification, protected, settings, learned=learned)

    return {
        "offline": classifier.classify,
        "learned": lambda text, _: tier.assess(text),
        "tiers": tiers,
        "combined": suite,
    }


def _against(texts: list[tuple[str, str]], seconds: float, root: Path) -> dict[str, Any]:
    ours_paths, base_paths = _paths(None), _paths(root)
    out: dict[str, Any] = {"baseline": str(root)}
    # The rules alone, the learned score alone, then the suite's path: each alternated on its own.
    for path, what in (
        ("offline", "the rules"),
        ("learned", "the learned score"),
        ("combined", "the suite's path"),
    ):
        rates: dict[str, list[tuple[float, float]]] = {"ours": [], "baseline": []}
        for _ in range(_SLICES):
            for name, paths in (("ours", ours_paths), ("baseline", base_paths)):
                rates[name].append(_rates(paths[path], texts, seconds / 2))
        for clock, key in ((0, ""), (1, "_cpu")):
            ours, base = ([r[clock] for r in rates[name]] for name in ("ours", "baseline"))
            out[f"{path}{key}_per_s_ours_paired"] = round(max(ours))
            out[f"{path}{key}_per_s_baseline_paired"] = round(max(base))
            out[f"{path}_vs_baseline{key}"] = round(
                statistics.median(o / b for o, b in zip(ours, base, strict=True)), 3
            )
            print(
                f"{what} against {root}, {_SLICES} alternating slices each, "
                f"{'CPU' if clock else 'wall'} time (best): ours {out[f'{path}{key}_per_s_ours_paired']:,} msg/s, "
                f"baseline {out[f'{path}{key}_per_s_baseline_paired']:,} msg/s; "
                f"median paired ratio {out[f'{path}_vs_baseline{key}']}x"
            )
    return out


def _ml(seconds: float, tokens: int, threads: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ml_arch_batch1_per_s": None,
        "ml_arch_batch32_per_s": None,
        "ml_random_weights": True,
    }
    try:
        import torch
        from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification
    except ImportError as exc:
        out["ml_note"] = f"ml extra not installed ({exc.name} missing)"
        print(f"ML architecture: skipped, {out['ml_note']}")
        return out
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    started = time.perf_counter()
    model = XLMRobertaForSequenceClassification(XLMRobertaConfig(**XLMR_BASE)).eval()
    params = sum(p.numel() for p in model.parameters())
    out |= {"ml_params": params, "ml_tokens": tokens, "torch_threads": torch.get_num_threads()}
    out["torch"] = torch.__version__
    print(
        f"ML: XLM-R base + 16-label head, RANDOM WEIGHTS (cost only, not accuracy): {params:,} params, "
        f"built in {time.perf_counter() - started:.1f} s; torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, {tokens} tokens/message, tokenizer excluded"
    )
    for batch in (1, 32):
        per_s, per_batch = _forward_rate(torch, model, batch, tokens, seconds)
        out[f"ml_arch_batch{batch}_per_s"] = round(per_s, 1)
        print(f"ML batch {batch:>2}: {per_batch * 1000:7.0f} ms per batch, {per_s:6.1f} msg/s")
    return out


def _forward_rate(torch: Any, model: Any, batch: int, tokens: int, seconds: float) -> tuple[float, float]:
    """(messages/s, seconds per batch) of forward passes on random ids of shape (batch, tokens)."""
    ids = torch.randint(5, XLMR_BASE["vocab_size"], (batch, tokens))
    ids[:, 0], ids[:, -1] = XLMR_BASE["bos_token_id"], XLMR_BASE["eos_token_id"]
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        model(input_ids=ids, attention_mask=mask)  # warm-up: first call allocates
        runs, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds or runs < 2:
            model(input_ids=ids, attention_mask=mask)
            runs += 1
    return runs * batch / elapsed, elapsed / runs


if __name__ == "__main__":
    sys.exit(main())
