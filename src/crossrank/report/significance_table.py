"""Which of the tables' differences are real: paired tests with Holm's correction, and bootstrap intervals.

Each comparison pairs a run with its table's named baseline over the queries both evaluate
(``results/per_query.csv``): translated against original documents (Table 3), a fine-tuned
encoder against its base (Table 4, the "none" row), a re-ranker against ``none`` (the first
stage's own order of the same candidates, Table 6). Per comparison: both macro averages, their
difference with its 95% bootstrap interval (queries resampled within pairs, then macro-averaged
as the paper averages), the paired t-test's and the paired randomization test's p-values, and
both Holm-adjusted over the comparisons of the same table, dataset and metric. A difference is
``significant`` when the Holm-adjusted randomization p-value is below alpha.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from crossrank.evaluate.significance import ALPHA, CONFIDENCE, holm, macro_interval, paired_test

COLUMNS = [
    "table",
    "dataset",
    "run",
    "baseline",
    "metric",
    "n_queries",
    "run_value",
    "baseline_value",
    "difference",
    "difference_low",
    "difference_high",
    "p_t",
    "p_randomization",
    "p_t_holm",
    "p_randomization_holm",
    "significant",
]
INTERVAL_COLUMNS = ["dataset", "run", "metric", "value", "low", "high", "n_queries"]


def _by_pair(frame: pd.DataFrame, column: str) -> dict[str, list[float]]:
    return {f"{q}-{d}": part[column].tolist() for (q, d), part in frame.groupby(["query_lang", "doc_lang"], sort=True)}


def _macro(frame: pd.DataFrame, column: str) -> float:
    """The mean over language pairs of each pair's mean (the paper's average)."""
    means = [sum(values) / len(values) for values in _by_pair(frame, column).values()]
    return sum(means) / len(means)


def compare(queries: pd.DataFrame, comparisons: Sequence[Mapping[str, Any]], settings: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One row per (comparison, metric) present in ``queries``; comparisons are ``{table, dataset, run, baseline, metrics}``."""
    settings = dict(settings or {})
    rows = []
    for comparison in comparisons:
        dataset = queries[queries["dataset"] == comparison["dataset"]]
        for metric in comparison["metrics"]:
            of = {
                name: dataset[(dataset["run"] == name) & (dataset["metric"] == metric)]
                for name in (comparison["run"], comparison["baseline"])
            }
            if any(part.empty for part in of.values()):
                continue
            joined = of[comparison["run"]].merge(
                of[comparison["baseline"]], on=["qid", "query_lang", "doc_lang"], suffixes=("", "_baseline")
            )
            joined = joined.sort_values("qid", kind="stable").assign(difference=lambda f: f["value"] - f["value_baseline"])
            test = paired_test(
                joined["value"].tolist(), joined["value_baseline"].tolist(), settings.get("resamples", 10_000), settings.get("seed", 0)
            )
            difference, low, high = macro_interval(
                _by_pair(joined, "difference"),
                settings.get("confidence", CONFIDENCE),
                settings.get("bootstrap_resamples", 2_000),
                settings.get("seed", 0),
            )
            run_value = _macro(joined, "value")
            rows.append(
                [
                    comparison["table"],
                    comparison["dataset"],
                    comparison["run"],
                    comparison["baseline"],
                    metric,
                    len(joined),
                    run_value,
                    _macro(joined, "value_baseline"),
                    difference,
                    low,
                    high,
                    test.t_p_value,
                    test.randomization_p_value,
                ]
            )
    frame = pd.DataFrame(rows, columns=COLUMNS[:13])
    frame["p_t_holm"], frame["p_randomization_holm"] = float("nan"), float("nan")
    for _key, group in frame.groupby(["table", "dataset", "metric"], sort=False):
        frame.loc[group.index, "p_t_holm"] = holm(group["p_t"].tolist())
        frame.loc[group.index, "p_randomization_holm"] = holm(group["p_randomization"].tolist())
    frame["significant"] = frame["p_randomization_holm"] < settings.get("alpha", ALPHA)
    return frame[COLUMNS]


def intervals(queries: pd.DataFrame, settings: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Every run's macro average per metric with its bootstrap interval (queries resampled within pairs)."""
    settings = dict(settings or {})
    rows = []
    for (dataset, run, metric), part in queries.groupby(["dataset", "run", "metric"], sort=True):
        value, low, high = macro_interval(
            _by_pair(part, "value"),
            settings.get("confidence", CONFIDENCE),
            settings.get("bootstrap_resamples", 2_000),
            settings.get("seed", 0),
        )
        rows.append((dataset, run, metric, value, low, high, len(part)))
    return pd.DataFrame(rows, columns=INTERVAL_COLUMNS)


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """The comparisons for reading: values and the difference's interval in %, p-values to 4 decimals, a mark for significance."""
    shown = pd.DataFrame(
        {
            "table": frame["table"],
            "dataset": frame["dataset"],
            "run": frame["run"],
            "baseline": frame["baseline"],
            "metric": frame["metric"],
            "queries": frame["n_queries"],
            "run %": (frame["run_value"] * 100).round(1),
            "baseline %": (frame["baseline_value"] * 100).round(1),
            "difference (95% CI)": [
                f"{d * 100:+.1f} [{lo * 100:+.1f}, {hi * 100:+.1f}]"
                for d, lo, hi in zip(frame["difference"], frame["difference_low"], frame["difference_high"], strict=True)
            ],
            "p (t, Holm)": frame["p_t_holm"].map(lambda p: f"{p:.4f}"),
            "p (randomization, Holm)": frame["p_randomization_holm"].map(lambda p: f"{p:.4f}"),
            "significant": frame["significant"].map(lambda s: "yes" if s else "no"),
        }
    )
    return shown
