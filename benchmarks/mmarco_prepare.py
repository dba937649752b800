"""Time and peak memory of preparing an mMARCO-sized release with the paper's protocol, against loading it whole.

Generates a release with the real file layout and realistic sizes: per language an 8,841,823-
passage collection (~3.3 GB, ~375 bytes a line like the translated MS MARCO passages), the
101,093 dev and 808,731 training queries, and MS MARCO's shared qrels (6,980 dev/small queries
judging 7,433 passages; 532,761 training judgments). Then runs the real prepare step
(``crossrank.prepare.steps.prepare_mmarco(...)``: every collection streamed once, training
pairs included) in a child process and reports its wall time and peak resident memory.

Baseline: what a non-streaming reader does, ``pandas.read_csv`` of ONE language's collection
into memory (``--baseline``), in its own child process; the ratio compares it with the whole
14-language prepare.

By default the 14 collections are hard links of one generated file per language slot (same
bytes, read 14 times; the page cache may hold it, so I/O is optimistic on a cold disk); use
``--distinct-files`` to write 14 separate collections (~46 GB).

Run: ``.venv/bin/python benchmarks/mmarco_prepare.py [--passages N] [--languages N] [--baseline] [--distinct-files]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crossrank.prepare.protocols.mmarco import LANGUAGES
from crossrank.prepare.readers.mmarco import LANGUAGE_NAMES

# The MS MARCO sizes the generated release copies.
PASSAGES = 8_841_823
DEV_QUERIES = 101_093
SMALL_QUERIES = 6_980
SMALL_PASSAGES = 7_433
TRAIN_QUERIES = 808_731
TRAIN_JUDGMENTS = 532_761
CHUNK = 200_000

CHILD = """
import json, resource, sys, time
from crossrank.prepare import steps
params, out = json.loads(sys.argv[1]), json.loads(sys.argv[2])
start = time.perf_counter()
if out == "baseline":
    import pandas
    frame = pandas.read_csv(params["path"], sep="\\t", header=None, names=["pid", "text"], dtype={"pid": str}, quoting=3)
    rows = len(frame)
else:
    steps.prepare_mmarco(params, out)
    rows = sum(1 for _ in open(out["docs"]))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": peak, "rows": rows}))
"""


def _passages_pool(rng: random.Random, size: int = 4096) -> list[str]:
    words = [f"w{i}" for i in range(30_000)]
    return [" ".join(rng.choices(words, k=rng.randint(38, 68))) for _ in range(size)]


def _write_lines(path: Path, count: int, line) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for start in range(0, count, CHUNK):
            handle.write("".join(line(i) for i in range(start, min(count, start + CHUNK))))


def generate(root: Path, languages: list[str], passages: int, distinct: bool, seed: int) -> float:
    """Write the release; return seconds taken."""
    start = time.perf_counter()
    rng = random.Random(seed)
    pool = _passages_pool(rng)
    first = None
    for lang in languages:
        path = root / "collections" / f"{LANGUAGE_NAMES[lang]}_collection.tsv"
        if first is not None and not distinct:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.link(first, path)
            continue
        offset = rng.randrange(1 << 30)
        _write_lines(path, passages, lambda i, offset=offset: f"{i}\t{pool[(i * 2654435761 + offset) % len(pool)]}\n")
        first = path
    for lang in languages:
        for split, count in (("dev", DEV_QUERIES), ("train", TRAIN_QUERIES)):
            base = 0 if split == "dev" else 1_000_000
            queries = root / "queries" / split / f"{LANGUAGE_NAMES[lang]}_queries.{split}.tsv"
            _write_lines(queries, count, lambda i, base=base, lang=lang: f"{base + i}\t{lang} question {i} about w{i % 30_000}\n")
    judged = rng.sample(range(passages), SMALL_PASSAGES)
    small = [f"{q}\t0\t{judged[q]}\t1\n" for q in range(SMALL_QUERIES)]
    small += [f"{rng.randrange(SMALL_QUERIES)}\t0\t{pid}\t1\n" for pid in judged[SMALL_QUERIES:]]  # queries with two passages
    (root / "qrels.dev.small.tsv").write_text("".join(small), encoding="utf-8")
    train = [f"{1_000_000 + rng.randrange(TRAIN_QUERIES)}\t0\t{rng.randrange(passages)}\t1\n" for _ in range(TRAIN_JUDGMENTS)]
    (root / "qrels.train.tsv").write_text("".join(train), encoding="utf-8")
    return time.perf_counter() - start


def measure(params: dict | str, out: dict | str) -> dict:
    """Run the prepare step (or the baseline load) in a child process; its time and peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    result = subprocess.run([sys.executable, "-c", CHILD, json.dumps(params), json.dumps(out)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=PASSAGES)
    parser.add_argument("--languages", type=int, default=len(LANGUAGES))
    parser.add_argument("--train-per-pair", type=int, default=1000)
    parser.add_argument("--distinct-files", action="store_true")
    parser.add_argument("--baseline", action="store_true", help="also load one collection whole with pandas")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", default=None, help="where to generate the release (default: the system temp directory)")
    args = parser.parse_args()
    languages = sorted(LANGUAGES, key=lambda lang: (lang != "en", lang))[: args.languages]
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        root = Path(tmp) / "mmarco"
        seconds = generate(root, languages, args.passages, args.distinct_files, args.seed)
        size = sum({f.stat().st_ino: f.stat().st_size for f in root.rglob("*") if f.is_file()}.values())
        collection = root / "collections" / "english_collection.tsv"
        print(
            f"generated {len(languages)} languages x {args.passages:,} passages ({collection.stat().st_size / 1e9:.2f} GB each, "
            f"{'distinct files' if args.distinct_files else 'hard links of one file'}; {size / 1e9:.1f} GB on disk) in {seconds:.0f} s"
        )
        params = {"root": str(root), "languages": languages, "train_queries_per_pair": args.train_per_pair}
        names = ("documents", "queries", "oracle", "query_documents", "docs", "topics", "qrels", "statistics")
        out = {name: str(Path(tmp) / "out" / f"{name}.tsv") for name in names}
        prepared = measure(params, out)
        lines = len(languages) * args.passages
        print(
            f"prepare_release('mmarco'), streaming: {prepared['seconds']:.0f} s for {lines:,} collection lines "
            f"({lines / prepared['seconds'] / 1e6:.2f} M lines/s), peak RSS {prepared['peak_mb']:.0f} MB, "
            f"{prepared['rows']:,} pool documents"
        )
        if args.baseline:
            baseline = measure({"path": str(collection)}, "baseline")
            print(
                f"baseline pandas.read_csv of one collection: {baseline['seconds']:.0f} s, peak RSS {baseline['peak_mb']:.0f} MB "
                f"({baseline['rows']:,} rows)"
            )
            print(
                f"ratio: streaming all {len(languages)} languages uses {prepared['peak_mb'] / baseline['peak_mb']:.3f}x the memory "
                f"of loading one language whole ({baseline['peak_mb'] / prepared['peak_mb']:.0f}x less)"
            )


if __name__ == "__main__":
    main()
