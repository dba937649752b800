"""CPU throughput of contrastive fine-tuning of the demo encoder, and where its wall time goes, in one run.

Runs ``crossrank.finetune.training.fine_tune`` once, as the demo's ``finetune`` rule does: the
``encoders.minilm`` model (all-MiniLM-L6-v2, offline weights), the ``finetune`` block of
``params.yaml`` (epochs, batch size, learning rate, temperature, max lengths, epoch zero, seed),
training pairs drawn as the demo's pairs rules draw them (``crossrank.finetune.training_data.held_out_split``:
a seeded ``validation_fraction`` of the ids held out, then seeded draws of at most ``max_train_pairs``
training and ``max_validation_pairs`` validation pairs; ``--pairs`` replaces the first cap). Pairs are the cldr benchmark's training pairs:
``data/train/cldr/query_documents.tsv`` (``phrase_pairs.tsv`` for ``--level phrase``) when a demo
run has written it, else generated in-process with ``crossrank.prepare.cldr.build_benchmark`` at
the ``cldr`` block's settings (the same rows). Nothing is downloaded.

Timed inside the trainer with ``perf_counter`` around the library's own calls (patched for the
run only; CPU, so every call is synchronous):

- forward: ``SentenceTransformerTrainer.compute_loss`` (both towers' forward pass + InfoNCE loss);
- backward: ``Accelerator.backward``;
- optimizer step: between the ``on_pre_optimizer_step`` and ``on_optimizer_step`` callbacks;
- data: ``Trainer.get_batch_samples`` (sampling, collation and tokenisation of a batch);
- evaluation: the validation evaluator's calls (epoch zero and after every epoch);
- save: checkpoints and the final model; setup: model loading, dataset and trainer construction.

Training seconds are the trainer's loop (``on_train_begin`` to ``on_train_end``) less
evaluation, checkpoint saving and loading the best epoch; pairs/s = pairs trained (every epoch)
/ training seconds. Shares are given of the training seconds and of the whole ``fine_tune`` call.

Run::

    .venv/bin/python benchmarks/finetune.py  # from the project directory: the demo's qd settings
    .venv/bin/python benchmarks/finetune.py --pairs 64 --epochs 1 --level phrase --threads 2 --json /tmp/ft.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from crossrank.core.encoder_model import EncoderSpec
from crossrank.finetune.pairs import TextPair, read_phrase_pairs, read_query_documents
from crossrank.finetune.settings import FinetuneSettings
from crossrank.finetune.training import fine_tune
from crossrank.finetune.training_data import held_out_split

ROOT = Path(__file__).resolve().parents[1]
ENCODER = "minilm"


class Timers:
    """Accumulated seconds per key; a call nested in one of the same key is not counted twice."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.marks: dict[str, float] = {}
        self.active: set[str] = set()
        self.batches = self.pairs = self.tokens = self.padded = 0

    @contextlib.contextmanager
    def time(self, key: str) -> Iterator[None]:
        """Add the block's wall time to ``key``."""
        if key in self.active:
            yield
            return
        self.active.add(key)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[key] += time.perf_counter() - start
            self.active.discard(key)


def patch(
    stack: contextlib.ExitStack, owner: type, name: str, key: str, timers: Timers, observe: Callable[..., None] | None = None
) -> None:
    """Time ``owner.name`` under ``key`` until ``stack`` closes (then the class is as before)."""
    had, original = name in owner.__dict__, getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        if observe:
            observe(*args, **kwargs)
        with timers.time(key):
            return original(*args, **kwargs)

    setattr(owner, name, timed)
    stack.callback(lambda: setattr(owner, name, original) if had else delattr(owner, name))


def count_batch(timers: Timers) -> Callable[..., None]:
    """An observer of ``compute_loss(trainer, model, inputs)``: batches, pairs, real and padded tokens."""

    def observe(_trainer: Any, _model: Any, inputs: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        timers.batches += 1
        timers.pairs += len(next(v for k, v in inputs.items() if k.endswith("input_ids")))
        timers.padded += sum(v.numel() for k, v in inputs.items() if k.endswith("input_ids"))
        timers.tokens += sum(int(v.sum()) for k, v in inputs.items() if k.endswith("attention_mask"))

    return observe


def callback(timers: Timers) -> Any:
    """A ``TrainerCallback`` marking the loop's ends and timing the optimizer step."""
    from transformers import TrainerCallback

    class Probe(TrainerCallback):
        def on_train_begin(self, *args: Any, **kwargs: Any) -> None:
            timers.marks["begin"], timers.marks["eval_before"] = time.perf_counter(), timers.seconds["evaluation"]

        def on_pre_optimizer_step(self, *args: Any, **kwargs: Any) -> None:
            timers.marks["step"] = time.perf_counter()

        def on_optimizer_step(self, *args: Any, **kwargs: Any) -> None:
            timers.seconds["optimizer step"] += time.perf_counter() - timers.marks["step"]

        def on_train_end(self, *args: Any, **kwargs: Any) -> None:
            timers.marks["end"], timers.marks["save_in_loop"] = time.perf_counter(), timers.seconds["save"]

    return Probe()


def training_pairs(level: str, params: dict[str, Any], generate: bool) -> tuple[list[TextPair], str]:
    """The cldr training pairs of ``level``: the demo's file, or generated in-process; also where from."""
    path = ROOT / "data" / "train" / "cldr" / ("phrase_pairs.tsv" if level == "phrase" else "query_documents.tsv")
    if path.is_file() and not generate:
        return (read_phrase_pairs(path) if level == "phrase" else read_query_documents(path)), str(path.relative_to(ROOT))
    from crossrank.prepare.cldr import build_benchmark

    c = params["cldr"]
    bench = build_benchmark(c["languages"], c["entity_types"], c["test_fraction"], c["seed"], c["max_entities"])
    rows = bench.phrase_pairs if level == "phrase" else bench.query_documents
    return [TextPair(*row) for row in rows], "generated with crossrank.prepare.cldr.build_benchmark"


def main() -> None:
    """Parse the arguments, train once with the probes in place and print the table."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    block = params["finetune"]
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=block["max_train_pairs"], help=f"training pairs (default {block['max_train_pairs']})")
    parser.add_argument("--epochs", type=int, default=block["epochs"], help=f"epochs (default {block['epochs']}, the demo's)")
    parser.add_argument("--level", choices=("qd", "phrase"), default="qd", help="fine-tuning level (default qd)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--generate", action="store_true", help="generate the cldr pairs even if the demo's file exists")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    if args.pairs < 1 or args.epochs < 1 or args.threads < 1:
        parser.error("--pairs, --epochs and --threads must be >= 1")

    import sentence_transformers
    import torch
    import transformers
    from accelerate import Accelerator
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
    from sentence_transformers.sentence_transformer.evaluation import SequentialEvaluator

    torch.set_num_threads(args.threads)
    settings = FinetuneSettings.from_params({**block, "epochs": args.epochs, "max_train_pairs": args.pairs})
    spec = EncoderSpec.from_params(ENCODER, {k: v for k, v in params["encoders"][ENCODER].items() if k != "enabled"})
    pairs, source = training_pairs(args.level, params, args.generate)
    train, validation = held_out_split(pairs, {**block, "max_train_pairs": args.pairs})  # as the finetune_pairs rules draw them
    max_length = min(spec.max_length, settings.max_length(args.level))
    print(f"fine-tuning {ENCODER} ({spec.model}) at level {args.level} on cpu, {torch.get_num_threads()} threads")
    print(
        f"torch {torch.__version__}, transformers {transformers.__version__}, sentence-transformers {sentence_transformers.__version__}, "
        f"python {platform.python_version()}"
    )
    print(f"pairs: {source}: {len(pairs):,} -> {len(train):,} training, {len(validation):,} validation (seed {settings.seed})")
    print(
        f"settings: epochs {settings.epochs}, batch {settings.batch_size}, lr {settings.learning_rate:g}, temperature "
        f"{settings.temperature:g}, max length {max_length}, epoch zero {settings.epoch_zero}"
    )

    timers = Timers()
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory(prefix="crossrank-ft-bench-") as tmp:
        patch(stack, SentenceTransformerTrainer, "compute_loss", "forward", timers, observe=count_batch(timers))
        patch(stack, Accelerator, "backward", "backward", timers)
        patch(stack, SentenceTransformerTrainer, "get_batch_samples", "data", timers)
        patch(stack, SentenceTransformerTrainer, "_save_checkpoint", "save", timers)
        patch(stack, SentenceTransformerTrainer, "_load_best_model", "load best", timers)
        patch(stack, SentenceTransformer, "save", "save", timers)
        patch(stack, SequentialEvaluator, "__call__", "evaluation", timers)  # both levels' evaluator: per-language-pair ones inside
        start = time.perf_counter()
        result = fine_tune(spec, args.level, train, validation, settings, Path(tmp) / "model", device="cpu", callbacks=[callback(timers)])
        wall = time.perf_counter() - start

    s, m = timers.seconds, timers.marks
    loop = m["end"] - m["begin"]
    eval_in_loop, save_in_loop = s["evaluation"] - m["eval_before"], m["save_in_loop"]
    train_s = loop - eval_in_loop - save_in_loop - s["load best"]
    parts = {k: s[k] for k in ("forward", "backward", "optimizer step", "data")}
    parts["other (training loop)"] = train_s - sum(parts.values())
    outside = {
        "setup (model load, trainer)": m["begin"] - start - m["eval_before"],
        "evaluation": s["evaluation"],
        "save (checkpoints, model)": s["save"],
        "load best epoch": s["load best"],
    }
    outside["other (wrap-up)"] = wall - train_s - sum(outside.values())
    header = f"{'component':<28} {'seconds':>9} {'% train':>8} {'% wall':>7}"
    print(f"\n{header}\n{'-' * len(header)}")
    for name, value in parts.items():
        print(f"{name:<28} {value:>9.2f} {100 * value / train_s:>7.1f}% {100 * value / wall:>6.1f}%")
    print(f"{'= training':<28} {train_s:>9.2f} {100.0:>7.1f}% {100 * train_s / wall:>6.1f}%")
    for name, value in outside.items():
        print(f"{name:<28} {value:>9.2f} {'':>8} {100 * value / wall:>6.1f}%")
    print(f"{'= fine_tune wall':<28} {wall:>9.2f} {'':>8} {100.0:>6.1f}%")
    pairs_s, real = timers.pairs / train_s, timers.tokens / max(timers.padded, 1)
    print(f"\nthroughput: {pairs_s:.1f} pairs/s, {timers.tokens / train_s:,.0f} real tokens/s ({real:.0%} of {timers.padded:,} padded)")
    trained = f"{timers.pairs:,} pairs trained of {len(train):,} x {settings.epochs} epoch(s)"
    print(f"{trained}, in {timers.batches} batches, {train_s:.1f} s of training")
    print(f"best epoch {result.best_epoch}, {result.metric} curve: {', '.join(f'{e}: {v:.4f}' for e, v in result.curve)}")
    if args.json:
        figures = dict(level=args.level, threads=args.threads, torch=torch.__version__, training_pairs=len(train), epochs=settings.epochs)
        figures |= dict(pairs_trained=timers.pairs, batches=timers.batches, pairs_per_s=round(pairs_s, 2), training_s=round(train_s, 3))
        figures |= dict(wall_s=round(wall, 3), seconds={k: round(v, 3) for k, v in {**parts, **outside}.items()}, curve=result.curve)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
