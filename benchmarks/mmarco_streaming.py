"""Peak memory and time of reading an mMARCO-sized collection with crossrank's streaming reader.

Writes a generated ``{language}_collection.tsv`` of realistic size (default 8.8M passages of
~55 words, ~3 GB, the size of one mMARCO v2 language) to a temporary directory, then reads a
seeded subset of ids with ``crossrank.datasets.mmarco.read_subset``, the way the prepare step
keeps only the sampled passages, and prints time and peak resident memory. The baseline is
loading the whole file into a dict (``--baseline`` also measures it, on a prefix, because a
full load of 8.8M passages needs several GB).

Run: ``.venv/bin/python benchmarks/mmarco_streaming.py [--passages N] [--wanted N]``
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

from crossrank.datasets.mmarco import iter_id_text, read_subset

WORDS = [f"w{i}" for i in range(30000)]


def generate(path: Path, passages: int, seed: int) -> float:
    """Write ``passages`` lines of ``pid<TAB>text``; return seconds taken."""
    rng = random.Random(seed)
    start = time.perf_counter()
    with open(path, "w", encoding="utf-8") as handle:
        for pid in range(passages):
            handle.write(f"{pid}\t{' '.join(rng.choices(WORDS, k=rng.randint(30, 80)))}\n")
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=8_800_000)
    parser.add_argument("--wanted", type=int, default=7_433, help="ids kept (the paper's mMARCO pool size)")
    parser.add_argument("--baseline", type=int, default=1_000_000, help="passages loaded whole by the baseline (0 = skip)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "english_collection.tsv"
        seconds = generate(path, args.passages, args.seed)
        size_gb = path.stat().st_size / 1e9
        print(f"generated {args.passages:,} passages, {size_gb:.2f} GB in {seconds:.1f} s; peak RSS so far {peak_rss_mb():.0f} MB")
        wanted = {str(i) for i in random.Random(args.seed).sample(range(args.passages), min(args.wanted, args.passages))}
        before = peak_rss_mb()
        start = time.perf_counter()
        found = read_subset(path, wanted)
        seconds = time.perf_counter() - start
        print(
            f"streaming read_subset: kept {len(found):,} of {args.passages:,} passages in {seconds:.1f} s "
            f"({args.passages / seconds / 1e6:.2f} M lines/s); peak RSS {peak_rss_mb():.0f} MB (before: {before:.0f} MB)"
        )
        if args.baseline:
            start = time.perf_counter()
            whole = {}
            for count, (pid, text) in enumerate(iter_id_text(path)):
                if count >= args.baseline:
                    break
                whole[pid] = text
            seconds = time.perf_counter() - start
            print(
                f"baseline dict of the first {len(whole):,} passages: {seconds:.1f} s, peak RSS {peak_rss_mb():.0f} MB "
                f"(a full load grows linearly: ~{peak_rss_mb() * args.passages / len(whole) / 1024:.1f} GB for all)"
            )


if __name__ == "__main__":
    main()
