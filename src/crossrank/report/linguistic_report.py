"""The paper's Table 8 (Spearman correlations of linguistic similarity with retrieval) and its scatter figure.

Rows: each (run, dataset) of the first-stage runs on original documents, then the average of
each feature's correlations over them (the paper's "Average" row); columns: rho x 100 per
feature group, ``*`` marking p < 0.05 in the Markdown (the CSV keeps rho, p and the number of
pairs apart). The figure has a panel per (dataset, feature): one point per language pair, the
pair's similarity against its score, one colour per run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crossrank.core.contract import MACRO
from crossrank.core.figures import save_figure

AVERAGE = "average"
ALPHA = 0.05


def correlation_table(correlations: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    """Table 8: rho x 100 per (run, dataset) and feature, with the average row; one decimal."""
    wide = correlations.pivot_table(index=["run", "dataset"], columns="feature", values="spearman", aggfunc="first", dropna=False)
    wide = wide.reindex(columns=list(features)) * 100
    wide.loc[(AVERAGE, ""), :] = wide.mean(skipna=True)
    return wide.round(1).reset_index()


def correlation_markdown(correlations: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    """Table 8 for reading: ``rho*`` where p < 0.05, ``n/a`` where a feature had too few pairs."""
    table = correlation_table(correlations, features)
    significant = {
        (row.run, row.dataset, row.feature): row.p_value < ALPHA
        for row in correlations.itertuples(index=False)
        if not math.isnan(row.p_value)
    }
    shown = table.astype(object)
    for index, row in table.iterrows():
        for feature in features:
            value = row[feature]
            mark = "*" if significant.get((row["run"], row["dataset"], feature)) else ""
            shown.at[index, feature] = "n/a" if pd.isna(value) else f"{value:.1f}{mark}"
    return shown


def similarity_figure(metrics: pd.DataFrame, similarities: pd.DataFrame, metric: str, runs: Sequence[str], path: str) -> None:
    """Per dataset (rows) and feature (columns): each language pair's similarity against its ``metric``, a colour per run."""
    scores = metrics[(metrics["metric"] == metric) & (metrics["query_lang"] != MACRO) & metrics["run"].isin(runs)]
    joined = scores.merge(similarities, on=["query_lang", "doc_lang"])
    datasets, features = sorted(joined["dataset"].unique()), list(dict.fromkeys(similarities["feature"]))
    fig, axes = plt.subplots(len(datasets), len(features), figsize=(2.6 * len(features), 2.4 * len(datasets)), squeeze=False)
    colours = dict(zip(runs, plt.get_cmap("tab10")(np.arange(len(runs)) % 10), strict=True))
    for i, dataset in enumerate(datasets):
        for j, feature in enumerate(features):
            axis = axes[i][j]
            part = joined[(joined["dataset"] == dataset) & (joined["feature"] == feature)]
            for run in runs:
                points = part[part["run"] == run]
                if not points.empty:
                    axis.scatter(points["similarity"], points["value"] * 100, s=10, color=colours[run], label=run, alpha=0.8)
            axis.set_title(f"{dataset}: {feature}", fontsize=8)
            axis.tick_params(labelsize=7)
            if j == 0:
                axis.set_ylabel(f"{metric} (%)", fontsize=8)
            if i == len(datasets) - 1:
                axis.set_xlabel("cosine similarity (lang2vec)", fontsize=8)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="lower center", ncol=min(4, max(1, len(labels))), fontsize=7, frameon=False, bbox_to_anchor=(0.5, -0.02)
    )
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    save_figure(fig, path)
