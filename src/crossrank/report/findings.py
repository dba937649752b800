"""The paper's findings, one by one, decided from this run's numbers: supported, not supported, or not applicable.

Each finding is a function of :class:`Evidence` (the merged metrics, per-query values, the
significance comparisons, Table 8's correlations, the language-bias tables and the efficiency
study) that returns one :class:`Verdict` per dataset. A verdict names the numbers and the test
that decide it; a finding whose runs are not in this configuration says which setting enables
them. The thresholds below are ours (the paper states its findings in words) and are printed in
the report beside each verdict, so a reader can disagree with them openly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from crossrank.core.contract import MACRO
from crossrank.core.run_name import RunName
from crossrank.efficiency.crossover import crossover
from crossrank.report.significance_table import compare

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
NOT_APPLICABLE = "not applicable"

# What "little" and "far more" mean, in points of the report metric (Recall@100 by default).
SMALL_DIFFERENCE = 5.0
# The paper's own HNSW losses were 0.3-3.9 points of Recall@100 (Table 7): "little" is below 4.
HNSW_SMALL_LOSS = 4.0
# Table 8's features of typological proximity the paper names for BM25 (section 5).
PROXIMITY_FEATURES = ("geographic", "syntax", "genealogical")


@dataclass(frozen=True)
class Evidence:
    """Everything the findings are decided from; a frame is empty where its stage did not run."""

    datasets: Sequence[str]
    metrics: pd.DataFrame
    queries: pd.DataFrame
    significance: pd.DataFrame
    linguistic: pd.DataFrame
    bias: pd.DataFrame
    efficiency: pd.DataFrame
    metric: str = "recall@100"
    rerank_metric: str = "recall@10"
    alpha: float = 0.05
    test_settings: Mapping[str, Any] = field(default_factory=dict)

    def macro(self, dataset: str, run: str, metric: str | None = None) -> float | None:
        """The macro average (in %) of ``run`` on ``dataset``, or None where it was not run."""
        rows = self.metrics[
            (self.metrics["dataset"] == dataset)
            & (self.metrics["run"] == run)
            & (self.metrics["metric"] == (metric or self.metric))
            & (self.metrics["query_lang"] == MACRO)
        ]
        return float(rows["value"].iloc[0]) * 100 if len(rows) else None

    def runs(self, dataset: str) -> list[RunName]:
        """The runs of ``dataset`` that were evaluated, parsed."""
        return [RunName.parse(run) for run in sorted(set(self.metrics.loc[self.metrics["dataset"] == dataset, "run"]))]


@dataclass(frozen=True)
class Verdict:
    """One finding on one dataset: the verdict and the numbers behind it."""

    number: int
    claim: str
    ref: str
    dataset: str
    verdict: str
    evidence: str


@dataclass(frozen=True)
class Finding:
    """A finding of the paper, where it is stated, the criterion applied here, and how it is decided."""

    number: int
    claim: str
    ref: str
    criterion: str
    decide: Callable[[Evidence, str], tuple[str, str]]


def _tested(
    evidence: Evidence, dataset: str, pairs: Sequence[tuple[str, str]], metric: str, queries: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Paired comparisons (run, baseline) over the queries both evaluate, Holm-adjusted together (see :func:`compare`)."""
    comparisons = [{"table": "finding", "dataset": dataset, "run": run, "baseline": base, "metrics": [metric]} for run, base in pairs]
    frame = evidence.queries if queries is None else queries
    return compare(frame, comparisons, {**evidence.test_settings, "alpha": evidence.alpha})


def _table_tested(evidence: Evidence, table: str, dataset: str, pairs: Sequence[tuple[str, str]], metric: str) -> pd.DataFrame:
    """The comparisons a table's significance test already made (``results/tables/significance.csv``, Holm-adjusted
    over that table), in ``pairs``' order; tested here only where that file lacks one of them."""
    done = evidence.significance
    if not done.empty:
        rows = done[(done["table"] == table) & (done["dataset"] == dataset) & (done["metric"] == metric)].set_index(["run", "baseline"])
        if all(pair in rows.index for pair in pairs):
            found = rows.loc[list(pairs)].reset_index()
            return found.assign(significant=found["significant"].astype(str).str.lower() == "true")
    return _tested(evidence, dataset, pairs, metric)


def _difference(row: pd.Series) -> str:
    return (
        f"{row['difference'] * 100:+.1f} [{row['difference_low'] * 100:+.1f}, {row['difference_high'] * 100:+.1f}], "
        f"p = {row['p_randomization_holm']:.4f}{' (significant)' if row['significant'] else ''}"
    )


def _base_dense(evidence: Evidence, dataset: str, condition: str = "original") -> list[RunName]:
    return [r for r in evidence.runs(dataset) if r.system == "dense" and r.variant is None and r.condition == condition]


def translation_helps_bm25_for_english(evidence: Evidence, dataset: str) -> tuple[str, str]:
    """BM25's gain from translated documents, English-query pairs against the others."""
    names = {str(r) for r in evidence.runs(dataset)}
    if not {"bm25.original", "bm25.translated"} <= names:
        return NOT_APPLICABLE, "needs BM25 on translated documents: add translated to `conditions` and set the dataset's `translation`"
    queries = evidence.queries[evidence.queries["dataset"] == dataset]
    english, other = queries[queries["query_lang"] == "en"], queries[queries["query_lang"] != "en"]
    if english.empty or other.empty:
        return NOT_APPLICABLE, "needs both English and non-English queries (this dataset has only one kind)"
    tests = {
        group: _tested(evidence, dataset, [("bm25.translated", "bm25.original")], evidence.metric, part).iloc[0]
        for group, part in (("English queries", english), ("other queries", other))
    }
    gain_en, gain_other = (float(t["difference"]) * 100 for t in tests.values())
    verdict = SUPPORTED if gain_en > gain_other and gain_en > 0 and bool(tests["English queries"]["significant"]) else NOT_SUPPORTED
    text = "; ".join(f"{group}: {_difference(t)}" for group, t in tests.items())
    return verdict, f"BM25 translated − original {evidence.metric} (points, 95% CI, randomization p): {text}"


def dense_gain_little_from_translation(evidence: Evidence, dataset: str) -> tuple[str, str]:
    """Each base encoder's change from translated documents, against the threshold."""
    pairs = [(str(RunName.join(r.retriever, "translated")), str(r)) for r in _base_dense(evidence, dataset)]
    names = {str(r) for r in evidence.runs(dataset)}
    pairs = [(run, base) for run, base in pairs if run in names]
    if not pairs:
        return NOT_APPLICABLE, "needs an encoder on translated documents: enable an encoder and add translated to `conditions`"
    tested = _table_tested(evidence, "table3", dataset, pairs, evidence.metric)
    changes = {row["run"].rsplit(".", 1)[0]: abs(float(row["difference"]) * 100) for _, row in tested.iterrows()}
    verdict = SUPPORTED if all(change < SMALL_DIFFERENCE for change in changes.values()) else NOT_SUPPORTED
    text = "; ".join(f"{row['run'].rsplit('.', 1)[0]}: {_difference(row)}" for _, row in tested.iterrows())
    bm25 = evidence.macro(dataset, "bm25.translated"), evidence.macro(dataset, "bm25.original")
    if None not in bm25:
        text += f"; for comparison BM25: {bm25[0] - bm25[1]:+.1f}"
    return verdict, f"translated − original {evidence.metric} (points): {text}"


def qd_helps_weak_encoder_more(evidence: Evidence, dataset: str) -> tuple[str, str]:
    """The query-document fine-tuning gain of the weakest and the strongest base encoder."""
    names = {str(r) for r in evidence.runs(dataset)}
    bases = [r for r in _base_dense(evidence, dataset) if str(RunName.search("dense", "original", f"{r.model}+qd")) in names]
    if len(bases) < 2:
        return (
            NOT_APPLICABLE,
            "needs two encoders fine-tuned at the query-document level: `finetune.encoders` (two) with qd in `finetune.levels`",
        )
    ranked = sorted(bases, key=lambda r: evidence.macro(dataset, str(r)) or 0.0)
    weak, strong = ranked[0], ranked[-1]
    pairs = [(str(RunName.search("dense", "original", f"{r.model}+qd")), str(r)) for r in (weak, strong)]
    tested = _table_tested(evidence, "table4", dataset, pairs, evidence.metric).set_index("baseline")
    gain = {r.model: float(tested.loc[str(r), "difference"]) * 100 for r in (weak, strong)}
    far_more = gain[weak.model] - gain[strong.model] >= SMALL_DIFFERENCE and bool(tested.loc[str(weak), "significant"])
    text = "; ".join(
        f"{r.model} (base {evidence.macro(dataset, str(r)):.1f}): +qd {_difference(tested.loc[str(r)])}" for r in (weak, strong)
    )
    return (SUPPORTED if far_more else NOT_SUPPORTED), f"{evidence.metric} gain of QD fine-tuning (points): {text}"


def hard_negatives_beat_easy(evidence: Evidence, dataset: str) -> tuple[str, str]:
    """Each cross-encoder trained on hard negatives against the same model trained on easy ones (the paper's candidates)."""
    runs = [r for r in evidence.runs(dataset) if r.system == "rerank" and str(r.model).endswith("-hard")]
    names = {str(r) for r in evidence.runs(dataset)}
    pairs = [(str(r), str(r).replace("-hard.", "-easy.", 1)) for r in runs]
    pairs = [(hard, easy) for hard, easy in pairs if easy in names]
    if not pairs:
        return NOT_APPLICABLE, "needs cross-encoders trained on both kinds: `rerank.models` with `rerank.negatives: [easy, hard]`"
    tested = _tested(evidence, dataset, pairs, evidence.rerank_metric)
    paper_mode = tested[~tested["run"].str.contains("-asis.", regex=False)]
    decided = paper_mode if not paper_mode.empty else tested
    won = all(float(row["difference"]) > 0 and bool(row["significant"]) for _, row in decided.iterrows())
    text = "; ".join(f"{row['run']} − {row['baseline'].split('.')[1]}: {_difference(row)}" for _, row in tested.iterrows())
    return (SUPPORTED if won else NOT_SUPPORTED), f"hard − easy {evidence.rerank_metric} (points; Holm over these): {text}"


def hnsw_costs_little_and_is_slower(evidence: Evidence, dataset: str) -> tuple[str, str]:
    """HNSW's recall loss against exact search, and whether exact search is faster below the study's crossover size."""
    names = {str(r) for r in evidence.runs(dataset)}
    pairs = [(str(RunName("ann", r.condition, r.model)), str(r)) for r in _base_dense(evidence, dataset)]
    pairs = [(ann, exact) for ann, exact in pairs if ann in names]
    if not pairs:
        return NOT_APPLICABLE, "needs HNSW runs: `ann.enabled: true` with an enabled encoder"
    losses = {exact.split(".")[1]: (evidence.macro(dataset, exact) or 0.0) - (evidence.macro(dataset, ann) or 0.0) for ann, exact in pairs}
    text = "; ".join(f"{encoder}: HNSW loses {loss:.2f} points of {evidence.metric}" for encoder, loss in losses.items())
    if evidence.efficiency.empty:
        return NOT_APPLICABLE, f"{text}; the speed half needs the efficiency study (`efficiency.enabled: true`)"
    found = crossover(evidence.efficiency)
    exact_faster = not found["batched_wins_at_smallest"]
    where = f"about {found['batched']:,.0f} documents" if found["batched"] else "beyond the largest measured size"
    text += (
        f"; efficiency study (batched queries, ef={found['ef']:.0f}): exact search is "
        f"{'faster' if exact_faster else 'slower'} at the smallest size and HNSW overtakes it at {where}"
        f"; one query at a time HNSW {'already wins at the smallest size' if found['batch1_wins_at_smallest'] else 'wins later'}"
    )
    supported = all(loss < HNSW_SMALL_LOSS for loss in losses.values()) and exact_faster
    return (SUPPORTED if supported else NOT_SUPPORTED), text


def bm25_correlates_with_proximity_more(evidence: Evidence, dataset: str) -> tuple[str, str]:
    """BM25's Spearman rho against the dense encoders' on the features of typological proximity (Table 8)."""
    table = evidence.linguistic[evidence.linguistic["dataset"] == dataset] if not evidence.linguistic.empty else evidence.linguistic
    if table.empty or "bm25.original" not in set(table["run"]) or len(set(table["run"])) < 2:
        return NOT_APPLICABLE, "needs Table 8 with BM25 and an encoder: `report.linguistic.enabled: true` and an enabled encoder"
    rho = table.set_index(["run", "feature"])["spearman"]
    dense = sorted(set(table["run"]) - {"bm25.original"})
    wins, parts = 0, []
    for feature in PROXIMITY_FEATURES:
        if ("bm25.original", feature) not in rho.index:
            continue
        best = max(dense, key=lambda run, f=feature: float(rho.get((run, f), float("-inf"))))
        bm25, other = float(rho[("bm25.original", feature)]) * 100, float(rho.get((best, feature), float("nan"))) * 100
        wins += bm25 > other
        parts.append(f"{feature}: BM25 {bm25:.1f} vs best dense {best.split('.')[1]} {other:.1f}")
    verdict = SUPPORTED if wins * 2 > len(parts) else NOT_SUPPORTED
    return verdict, f"Spearman rho x 100 (BM25 higher on {wins} of {len(parts)}): " + "; ".join(parts)


def dense_prefers_query_language(evidence: Evidence, dataset: str) -> tuple[str, str]:
    """Each base encoder's share of same-language documents in its top results, against the pool's share."""
    bias = evidence.bias[evidence.bias["dataset"] == dataset] if not evidence.bias.empty else evidence.bias
    runs = [str(r) for r in _base_dense(evidence, dataset)]
    rows = bias[bias["run"].isin(runs)] if not bias.empty else bias
    if rows.empty:
        return NOT_APPLICABLE, "needs an enabled encoder (the language-bias table of its run on original documents)"
    margins = {row["run"]: float(row["same-language %"]) - float(row["uniform %"]) for _, row in rows.iterrows()}
    verdict = SUPPORTED if all(margin > SMALL_DIFFERENCE for margin in margins.values()) else NOT_SUPPORTED
    text = "; ".join(
        f"{row['run'].split('.')[1]}: {row['same-language %']:.1f}% same-language vs {row['uniform %']:.1f}% uniform"
        for _, row in rows.iterrows()
    )
    return verdict, f"top-k documents in the query's language: {text}"


def dense_beats_bm25(evidence: Evidence, dataset: str) -> tuple[str, str]:
    """The best exact dense run against BM25 on the same documents, per condition."""
    runs = evidence.runs(dataset)
    pairs = []
    for condition in sorted({r.condition for r in runs}):
        dense = [r for r in runs if r.system == "dense" and r.condition == condition]
        if dense and any(r.system == "bm25" and r.condition == condition for r in runs):
            best = max(dense, key=lambda r: evidence.macro(dataset, str(r)) or 0.0)
            pairs.append((str(best), f"bm25.{condition}"))
    if not pairs:
        return NOT_APPLICABLE, "needs an enabled encoder beside BM25"
    tested = _tested(evidence, dataset, pairs, evidence.metric)
    won = all(float(row["difference"]) > 0 and bool(row["significant"]) for _, row in tested.iterrows())
    text = "; ".join(f"{row['run']} − {row['baseline']}: {_difference(row)}" for _, row in tested.iterrows())
    return (SUPPORTED if won else NOT_SUPPORTED), f"{evidence.metric} (points): {text}"


FINDINGS = (
    Finding(
        1,
        "Translating documents into English helps BM25 mainly for English queries",
        "Figure 3, section 4",
        "BM25's gain on English-query pairs is positive, significant and larger than on the other pairs",
        translation_helps_bm25_for_english,
    ),
    Finding(
        2,
        "Dense encoders gain little from document translation",
        "Table 3",
        f"every base encoder's |translated − original| is below {SMALL_DIFFERENCE:.0f} points",
        dense_gain_little_from_translation,
    ),
    Finding(
        3,
        "Query-document contrastive fine-tuning helps the weakly aligned encoder far more than the strong one",
        "Table 4",
        f"the weakest base encoder's QD gain is significant and at least {SMALL_DIFFERENCE:.0f} points above the strongest's",
        qd_helps_weak_encoder_more,
    ),
    Finding(
        4,
        "Cross-encoders trained on hard negatives re-rank better than on easy ones",
        "Table 6",
        "hard beats easy, significantly, for every model on the paper's candidates (inject_gold)",
        hard_negatives_beat_easy,
    ),
    Finding(
        5,
        "HNSW costs little recall and is slower than exact search at the paper's corpus sizes",
        "Table 7",
        f"every encoder's HNSW loss is below {HNSW_SMALL_LOSS:.0f} points and batched exact search is faster at the smallest size",
        hnsw_costs_little_and_is_slower,
    ),
    Finding(
        6,
        "BM25 correlates with typological proximity more than dense encoders do",
        "Table 8",
        "BM25's rho exceeds every encoder's on most of the geographic, syntax and genealogical features",
        bm25_correlates_with_proximity_more,
    ),
    Finding(
        7,
        "Dense encoders prefer documents in the query's language",
        "Figures 6 and 8",
        f"every base encoder's same-language share exceeds the pool's share by more than {SMALL_DIFFERENCE:.0f} points",
        dense_prefers_query_language,
    ),
    Finding(
        8,
        "The best dense encoder beats BM25, with and without translation",
        "Figure 5",
        "the best exact dense run beats BM25 significantly on every document condition",
        dense_beats_bm25,
    ),
)


def verdicts(evidence: Evidence, findings: Sequence[Finding] = FINDINGS) -> list[Verdict]:
    """Every finding decided on every dataset, in the findings' order."""
    found = []
    for finding in findings:
        for dataset in evidence.datasets:
            verdict, text = finding.decide(evidence, dataset)
            found.append(Verdict(finding.number, finding.claim, finding.ref, dataset, verdict, text))
    return found
