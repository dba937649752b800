"""Per-language-pair evaluation of runs, through ir-measures (pytrec_eval underneath).

Conventions are trec_eval's: a document is relevant when its label is >= ``relevance_level``
(1: CLIRMatrix's label 0 is "not relevant"); nDCG uses linear gains (the label itself); every
topic with a relevant document counts, and one with nothing retrieved scores 0 (trec_eval
``-c``). Each pair's score is the mean over its queries; ``all`` is the macro average over
pairs, as the paper averages.

Two families answer different questions. ``recall@k`` is trec_eval's recall: the share of a
query's relevant documents in its top k, so a query with three relevant documents and one
retrieved scores 1/3. ``success@k`` is a hit rate: 1 when any relevant document is in the top
k, else 0 (trec_eval's ``success``); the paper's "Recall@100" (section 3.3, "the proportion of
queries for which the relevant document appears in the top-100 results") is ``success@100``.

Which documents are relevant is the ``relevance`` mode of a dataset: ``threshold`` counts every
label >= ``relevance_level`` (trec_eval ``-l``); ``top`` counts only each query's top-labelled
documents (CLIRMatrix's highest label, Large-Scale's rel-2 article where the query has one: the paper's "the relevant
document") for the binary measures, while nDCG keeps every graded label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import ir_measures
import pandas as pd

from crossrank.core.contract import MACRO, Qrels, Topic
from crossrank.core.io import atomic_write
from crossrank.core.run_name import RunName

# Contract metric name -> ir-measures measure (with the relevance level filled in).
MEASURES = {
    "recall": "R(rel={level})@{cutoff}",
    "success": "Success(rel={level})@{cutoff}",
    "ndcg": "nDCG@{cutoff}",
    "precision": "P(rel={level})@{cutoff}",
}
# Families that see relevance as yes/no (the relevance mode decides which labels say yes); the
# others use the graded labels.
BINARY = ("recall", "success", "precision")
RELEVANCE_MODES = ("threshold", "top")
COLUMNS = ["dataset", "run", "system", "condition", "query_lang", "doc_lang", "metric", "value", "n_queries"]


def parse_metric(name: str, relevance_level: int) -> ir_measures.Measure:
    """``recall@100`` -> ``R(rel=1)@100``; raises ValueError naming the allowed forms."""
    family, _, cutoff = name.partition("@")
    if family not in MEASURES or not cutoff.isdigit():
        raise ValueError(f"unknown metric {name!r}; use <{'|'.join(MEASURES)}>@<cutoff>, e.g. recall@100")
    return ir_measures.parse_measure(MEASURES[family].format(level=relevance_level, cutoff=cutoff))


def top_label_qrels(qrels: Qrels, relevance_level: int = 1) -> Qrels:
    """Each query's top-labelled documents as label 1, every other judged document as 0.

    A query whose highest label is below ``relevance_level`` keeps no relevant document.
    """
    binary: Qrels = {}
    for qid, judged in qrels.items():
        top = max(judged.values(), default=0)
        binary[qid] = {doc: int(top >= relevance_level and label == top) for doc, label in judged.items()}
    return binary


def query_values(
    run: Mapping[str, Mapping[str, float]],
    qrels: Qrels,
    topics: Sequence[Topic],
    metrics: Sequence[str],
    relevance_level: int = 1,
    relevance: str = "threshold",
) -> tuple[dict[tuple[str, str], float], dict[str, Topic]]:
    """``({(qid, metric): value}, {qid: topic})`` over the topics with a relevant document (a query retrieving nothing scores 0).

    ``relevance`` is ``threshold`` (every label >= ``relevance_level`` is relevant) or ``top``
    (only each query's top-labelled documents, for the binary measures; nDCG stays graded).
    """
    if relevance not in RELEVANCE_MODES:
        raise ValueError(f"unknown relevance mode {relevance!r}; use one of {', '.join(RELEVANCE_MODES)}")
    measures = {name: parse_metric(name, relevance_level) for name in metrics}
    judged = {t.qid: t for t in topics if any(rel >= relevance_level for rel in qrels.get(t.qid, {}).values())}
    per_query: dict[tuple[str, str], float] = {(qid, name): 0.0 for qid in judged for name in metrics}
    judged_qrels = {qid: dict(qrels[qid]) for qid in judged}
    judged_run = {qid: dict(docs) for qid, docs in run.items() if qid in judged and docs}
    on_top_labels = {name for name in metrics if relevance == "top" and name.partition("@")[0] in BINARY}
    passes = [
        ({name: measures[name] for name in metrics if name not in on_top_labels}, judged_qrels),
        ({name: parse_metric(name, 1) for name in on_top_labels}, top_label_qrels(judged_qrels, relevance_level)),
    ]
    for pass_measures, pass_qrels in passes:
        if not pass_measures:
            continue
        by_measure = {measure: name for name, measure in pass_measures.items()}
        for result in ir_measures.iter_calc(list(pass_measures.values()), pass_qrels, judged_run):
            per_query[(result.query_id, by_measure[result.measure])] = float(result.value)
    return per_query, judged


def evaluate_run(
    run: Mapping[str, Mapping[str, float]],
    qrels: Qrels,
    topics: Sequence[Topic],
    metrics: Sequence[str],
    relevance_level: int = 1,
    relevance: str = "threshold",
) -> dict[tuple[str, str, str], tuple[float, int]]:
    """``{(query_lang, doc_lang, metric): (mean, n_queries)}`` per pair, plus the macro average (see :func:`query_values`)."""
    per_query, judged = query_values(run, qrels, topics, metrics, relevance_level, relevance)
    return pair_table(per_query, judged, metrics)


def pair_table(
    per_query: Mapping[tuple[str, str], float], topics: Mapping[str, Topic], metrics: Sequence[str]
) -> dict[tuple[str, str, str], tuple[float, int]]:
    """Per-query values -> each pair's mean and query count, plus the macro average over pairs (the paper's)."""
    per_pair: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for (qid, name), value in per_query.items():
        topic = topics[qid]
        per_pair[(topic.query_lang, topic.doc_lang, name)].append(value)
    table = {key: (sum(values) / len(values), len(values)) for key, values in per_pair.items()}
    for name in metrics:
        pairs = [value for (q, d, m), value in table.items() if m == name]
        if pairs:
            table[(MACRO, MACRO, name)] = (sum(mean for mean, _ in pairs) / len(pairs), sum(n for _, n in pairs))
    return table


QUERY_COLUMNS = ["dataset", "run", "qid", "query_lang", "doc_lang", "metric", "value"]


def query_frame(dataset: str, run_name: str, per_query: Mapping[tuple[str, str], float], topics: Mapping[str, Topic]) -> pd.DataFrame:
    """The tidy per-query rows of one run (``results/per_query.csv``), sorted by metric then query id."""
    rows = [
        (dataset, run_name, qid, topics[qid].query_lang, topics[qid].doc_lang, name, round(value, 6))
        for (qid, name), value in per_query.items()
    ]
    frame = pd.DataFrame(rows, columns=QUERY_COLUMNS)
    return frame.sort_values(["metric", "qid"], kind="stable").reset_index(drop=True)


def metrics_frame(dataset: str, run_name: str, table: Mapping[tuple[str, str, str], tuple[float, int]]) -> pd.DataFrame:
    """The tidy rows of ``results/metrics.csv`` for one run, sorted for byte-stable output."""
    run = RunName.parse(run_name)
    rows = [
        (dataset, run_name, run.retriever, run.condition, q, d, metric, round(value, 6), n) for (q, d, metric), (value, n) in table.items()
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return sort_metrics(frame)


def sort_metrics(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical row order: dataset, run, metric, macro rows first, then pairs."""
    frame = frame.assign(_macro=frame["query_lang"] != MACRO)
    frame = frame.sort_values(["dataset", "run", "metric", "_macro", "query_lang", "doc_lang"], kind="stable")
    return frame.drop(columns="_macro").reset_index(drop=True)


def write_metrics(path: str, frame: pd.DataFrame) -> None:
    """Write a metrics table atomically, values with 6 decimals."""
    with atomic_write(path) as handle:
        frame.to_csv(handle, index=False, float_format="%.6f", lineterminator="\n")


def read_query_metrics(paths: Sequence[str]) -> pd.DataFrame:
    """Concatenate per-run per-query tables, in the order given."""
    frames = [pd.read_csv(path, keep_default_na=False, dtype={"qid": str, "query_lang": str, "doc_lang": str}) for path in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=QUERY_COLUMNS)


def read_metrics(paths: Sequence[str]) -> pd.DataFrame:
    """Concatenate per-run metric tables into one sorted table."""
    frames = [pd.read_csv(path, keep_default_na=False, dtype={"query_lang": str, "doc_lang": str}) for path in paths]
    return sort_metrics(pd.concat(frames, ignore_index=True))


def run_summaries(frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, float]]:
    """``{(dataset, run): {metric: macro value}}``: one small record per run (what ``dvc metrics show`` lists, one row each)."""
    summaries: dict[tuple[str, str], dict[str, float]] = {}
    macro = frame[frame["query_lang"] == MACRO]
    for row in macro.itertuples(index=False):
        summaries.setdefault((row.dataset, row.run), {})[row.metric] = round(float(row.value), 6)
    return summaries


PAIR_COLUMNS = ["pair", "query_lang", "doc_lang", "n_queries"]


def pair_tables(frame: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """``{(dataset, run): table}``: one row per language pair (``pair`` = ``query_lang-doc_lang``, sorted), its
    ``n_queries`` and one column per metric in the frame's order; the macro rows are left out (``dvc plots`` draws these)."""
    tables: dict[tuple[str, str], pd.DataFrame] = {}
    pairs = frame[frame["query_lang"] != MACRO]
    for (dataset, run), rows in pairs.groupby(["dataset", "run"], sort=True):
        keys = ["query_lang", "doc_lang"]
        wide = rows.pivot_table(index=keys, columns="metric", values="value", aggfunc="first", sort=True)
        wide = wide[list(dict.fromkeys(rows["metric"]))]
        wide.insert(0, "n_queries", rows.groupby(keys)["n_queries"].max())
        table = wide.reset_index().rename_axis(columns=None)
        table.insert(0, "pair", table["query_lang"] + "-" + table["doc_lang"])
        tables[(str(dataset), str(run))] = table[PAIR_COLUMNS + [c for c in table.columns if c not in PAIR_COLUMNS]]
    return tables
