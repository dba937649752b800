"""Index and query time of the two BM25 backends of ``crossrank.bm25``, in one run.

What it measures, for each backend -- ``bm25s`` (variant ``lucene``, the pipeline's default) and
``rank_bm25`` (variant ``okapi``, the baseline: the library the paper's design names) -- on two
corpora:

1. the demo pool: documents and topics of the embedded cldr benchmark, generated in-process
   with ``crossrank.prepare.cldr.build_benchmark()`` (default arguments) and analyzed with
   ``crossrank.bm25.analysis.Analyzer()``;
2. a generated corpus (``--docs``, default 100,000 documents): a seeded numpy draw of terms from
   a Zipf distribution (s = 1) over 50,000 synthetic terms, document lengths uniform in
   20-200 terms, queries of 2-6 terms drawn from the same distribution.

- index: seconds of ``Bm25Index.build`` on already analyzed term lists (analysis is timed
  separately, once, for the demo pool);
- query: milliseconds per query of ``Bm25Index.scores`` + ``crossrank.core.runs.top_k(...,
  positive_only=True)`` at the pipeline's depth (100), exactly the body of
  ``crossrank.bm25.index.search``, on already analyzed queries; mean, p50 and p95 over the measured
  queries, after one untimed warm-up query;
- the ratio rank_bm25 / bm25s of index and query time;
- the agreement of the two backends: mean overlap of their top-10 on the queries both measured.
  They implement different BM25 variants (Lucene's idf vs Okapi's idf with an epsilon floor for
  terms in more than half of the documents), so the overlap is not expected to be 1 on the
  synthetic corpus; on the demo pool most topics match at most 10 documents, so there it is
  close to 1 whatever the variant. Queries neither backend retrieves anything for (cross-lingual
  topics sharing no term with any document) are counted and left out of the mean.

rank_bm25 is the baseline, bm25s the default. rank_bm25 loops over every document in Python for
every query term (tens of milliseconds per query at 10k documents, linear in corpus size: about
a quarter of a second at 100k), so it is timed on a seeded sample of the queries bm25s is timed
on: ``--rank-bm25-queries`` of the ``--queries`` synthetic ones, ``--demo-rank-bm25-queries`` of
the demo topics (bm25s takes all of them). Defaults finish in about a minute on 2 CPU cores.

Run::

    .venv/bin/python benchmarks/bm25.py  # from the project directory
    .venv/bin/python benchmarks/bm25.py --docs 20000 --queries 500 --rank-bm25-queries 100 --seed 1
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import platform
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from crossrank.bm25.analysis import Analyzer
from crossrank.bm25.index import Bm25Index, Bm25Settings
from crossrank.core.runs import DocidOrder, top_k
from crossrank.prepare.cldr import build_benchmark

BASELINE = Bm25Settings(backend="rank_bm25", variant="okapi")
DEFAULT = Bm25Settings(backend="bm25s", variant="lucene")
DEPTH = 100  # params.yaml retrieval.top_k
AGREEMENT_DEPTH = 10
VOCABULARY = 50_000
ZIPF_S = 1.0
DOC_LENGTH = (20, 200)
QUERY_LENGTH = (2, 6)


@dataclass
class Corpus:
    name: str
    docids: list[str]
    doc_terms: list[list[str]]
    queries: list[list[str]]  # analyzed queries, in a fixed order
    note: str


@dataclass
class Measurement:
    settings: Bm25Settings
    index_s: float
    query_ms: np.ndarray  # one entry per measured query
    top: dict[int, list[str]]  # query position -> top-10 docids


def demo_corpus(analyzer: Analyzer) -> tuple[Corpus, float, float]:
    """The cldr pool and its topics, analyzed; also the seconds of generation and analysis."""
    start = time.perf_counter()
    benchmark = build_benchmark()
    generated = time.perf_counter() - start
    start = time.perf_counter()
    doc_terms = [analyzer.tokens(doc.text, doc.lang) for doc in benchmark.documents]
    queries = [analyzer.tokens(topic.text, topic.query_lang) for topic in benchmark.topics]
    analyzed = time.perf_counter() - start
    tokens = sum(map(len, doc_terms))
    note = f"{len(doc_terms):,} docs ({tokens / len(doc_terms):.1f} terms/doc), {len(queries):,} topics"
    return Corpus("demo (cldr)", [doc.docid for doc in benchmark.documents], doc_terms, queries, note), generated, analyzed


def synthetic_corpus(n_docs: int, n_queries: int, seed: int) -> tuple[Corpus, float]:
    """A Zipf-distributed corpus and queries drawn from the same distribution; also its seconds."""
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, VOCABULARY + 1, dtype=np.float64) ** ZIPF_S
    probabilities = weights / weights.sum()
    vocabulary = [f"t{rank}" for rank in range(VOCABULARY)]

    def draw(lengths: np.ndarray) -> list[list[str]]:
        ids = rng.choice(VOCABULARY, size=int(lengths.sum()), p=probabilities).tolist()
        terms = list(map(vocabulary.__getitem__, ids))
        bounds = np.concatenate(([0], np.cumsum(lengths))).tolist()
        return [terms[bounds[i] : bounds[i + 1]] for i in range(len(lengths))]

    doc_terms = draw(rng.integers(DOC_LENGTH[0], DOC_LENGTH[1] + 1, size=n_docs))
    queries = draw(rng.integers(QUERY_LENGTH[0], QUERY_LENGTH[1] + 1, size=n_queries))
    docids = [f"d{i:07d}" for i in range(n_docs)]
    tokens = sum(map(len, doc_terms))
    note = (
        f"{n_docs:,} docs ({tokens / n_docs:.1f} terms/doc, {tokens:,} tokens), Zipf s={ZIPF_S} over {VOCABULARY:,} terms, "
        f"{n_queries:,} queries of {QUERY_LENGTH[0]}-{QUERY_LENGTH[1]} terms"
    )
    return Corpus(f"synthetic {n_docs // 1000}k" if n_docs >= 1000 else f"synthetic {n_docs}", docids, doc_terms, queries, note), (
        time.perf_counter() - start
    )


def measure(corpus: Corpus, settings: Bm25Settings, positions: Sequence[int]) -> Measurement:
    """Build the index, then time ``scores`` + ``top_k`` for the queries at ``positions``."""
    Bm25Index.build(settings, ["warm-up"], [["warm", "up"]])  # imports the library and warms it up, untimed
    gc.collect()
    start = time.perf_counter()
    index = Bm25Index.build(settings, corpus.docids, corpus.doc_terms)
    index_s = time.perf_counter() - start
    order = DocidOrder(index.docids)
    top_k(index.scores(corpus.queries[positions[0]]), DEPTH, order, positive_only=True)  # warm-up, untimed
    gc.collect()
    times = np.empty(len(positions))
    top: dict[int, list[str]] = {}
    for i, position in enumerate(positions):
        start = time.perf_counter()
        ranking = top_k(index.scores(corpus.queries[position]), DEPTH, order, positive_only=True)
        times[i] = time.perf_counter() - start
        top[position] = [docid for docid, _score in ranking[:AGREEMENT_DEPTH]]
    del index
    gc.collect()
    return Measurement(settings, index_s, times * 1000.0, top)


def ratio(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:,.0f}x"


def agreement(a: Measurement, b: Measurement) -> tuple[float, int, int]:
    """Mean top-10 overlap over queries both measured where either retrieved something.

    Overlap of one query: |A ∩ B| / max(|A|, |B|). Also returns how many queries that averages
    and how many retrieved nothing with either backend (left out).
    """
    overlaps, empty = [], 0
    for position in sorted(set(a.top) & set(b.top)):
        x, y = set(a.top[position]), set(b.top[position])
        if not x and not y:
            empty += 1
            continue
        overlaps.append(len(x & y) / max(len(x), len(y)))
    return (float(np.mean(overlaps)) if overlaps else float("nan")), len(overlaps), empty


@dataclass
class Comparison:
    corpus: str
    default: Measurement
    baseline: Measurement
    how: str


def run_corpus(corpus: Corpus, n_default: int, n_baseline: int, seed: int) -> Comparison:
    """Time both backends; rank_bm25 on a seeded sample of the queries bm25s is timed on."""
    default_positions = list(range(min(n_default, len(corpus.queries))))
    baseline_positions = sorted(random.Random(seed).sample(default_positions, min(n_baseline, len(default_positions))))
    default = measure(corpus, DEFAULT, default_positions)
    baseline = measure(corpus, BASELINE, baseline_positions)
    sampled = "all" if len(default_positions) == len(corpus.queries) else "first"
    how = f"bm25s timed on {sampled} {len(default_positions):,} queries, rank_bm25 on a seeded sample of {len(baseline_positions):,}"
    return Comparison(corpus.name, default, baseline, how)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000, help="documents of the synthetic corpus (default 100000)")
    parser.add_argument("--queries", type=int, default=1000, help="synthetic queries timed with bm25s (default 1000)")
    parser.add_argument("--rank-bm25-queries", type=int, default=100, help="synthetic queries timed with rank_bm25 (default 100)")
    parser.add_argument("--demo-rank-bm25-queries", type=int, default=300, help="demo topics timed with rank_bm25 (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpus and of the query samples (default 0)")
    args = parser.parse_args()
    if args.docs < 1 or args.queries < 1 or args.rank_bm25_queries < 1 or args.demo_rank_bm25_queries < 1:
        parser.error("--docs, --queries and the rank_bm25 query counts must be >= 1")

    versions = {name: importlib.metadata.version(name) for name in ("bm25s", "rank-bm25")}
    print(
        f"BM25 backends: bm25s {versions['bm25s']} ({DEFAULT.variant}, default) vs "
        f"rank_bm25 {versions['rank-bm25']} ({BASELINE.variant}, baseline)"
    )
    print(f"k1={DEFAULT.k1} b={DEFAULT.b} epsilon={BASELINE.epsilon}; search = Bm25Index.scores + top_k(depth {DEPTH}, positive_only)")
    print(f"python {platform.python_version()}, numpy {np.__version__}, seed {args.seed}\n")

    total = time.perf_counter()
    demo, generated, analyzed = demo_corpus(Analyzer())
    print(f"[{demo.name}] {demo.note}; generated in {generated:.1f} s, analyzed in {analyzed:.2f} s (not in the timings below)")
    demo_result = run_corpus(demo, len(demo.queries), args.demo_rank_bm25_queries, args.seed)
    print(f"[{demo.name}] {demo_result.how}")
    del demo

    synthetic, built = synthetic_corpus(args.docs, args.queries, args.seed)
    print(f"[{synthetic.name}] {synthetic.note}; generated in {built:.1f} s")
    synthetic_result = run_corpus(synthetic, args.queries, args.rank_bm25_queries, args.seed)
    print(f"[{synthetic.name}] {synthetic_result.how}\n")
    del synthetic

    header = f"{'corpus':<15} {'backend':<10} {'variant':<7} {'index s':>9} {'queries':>8} {'mean ms':>9} {'p50 ms':>9} {'p95 ms':>9}"
    print(header)
    print("-" * len(header))
    summary = []
    for result in (demo_result, synthetic_result):
        default, baseline = result.default, result.baseline
        for m in (default, baseline):
            p50, p95 = np.percentile(m.query_ms, [50, 95])
            print(
                f"{result.corpus:<15} {m.settings.backend:<10} {m.settings.variant:<7} {m.index_s:>9.3f} {len(m.query_ms):>8,} "
                f"{m.query_ms.mean():>9.3f} {p50:>9.3f} {p95:>9.3f}"
            )
        index_ratio = baseline.index_s / default.index_s
        query_ratio = baseline.query_ms.mean() / default.query_ms.mean()
        shared = [i for i, position in enumerate(default.top) if position in baseline.top]  # top is in timing order
        same_ratio = baseline.query_ms.mean() / default.query_ms[shared].mean()
        overlap, compared, empty = agreement(default, baseline)
        print(
            f"{'':<15} ratio rank_bm25/bm25s: index {ratio(index_ratio)}, query {ratio(query_ratio)} "
            f"(mean; {ratio(same_ratio)} on the same {len(shared)} queries); "
            f"top-{AGREEMENT_DEPTH} overlap {overlap:.3f} on {compared} queries ({empty} retrieved nothing)"
        )
        summary.append(f"{result.corpus}: index {ratio(index_ratio)}, query {ratio(query_ratio)}")
    print(f"\nsummary (rank_bm25 / bm25s): {'; '.join(summary)}; total {time.perf_counter() - total:.0f} s")
    print("note: the backends implement different variants (lucene vs okapi), so their rankings differ by design.")


if __name__ == "__main__":
    main()
