"""Tests of crossrank.report.finetune_tables and .finetune_curves: Tables 4 and 5 and the validation curves."""

from __future__ import annotations

import pandas as pd
import pytest

from crossrank.core.run_name import RunName
from crossrank.evaluate.metrics import COLUMNS
from crossrank.report.finetune_curves import curve_figure, curve_frame
from crossrank.report.finetune_tables import best_configurations, finetuning_table

# Recall@100 (macro, ar-ru, en-zh) of two encoders, before fine-tuning and at the qd and phrase level, on original documents.
VALUES = {
    "dense.x.original": (0.01, 0.00, 0.02),
    "dense.x+phrase.original": (0.05, 0.10, 0.04),
    "dense.x+qd.original": (0.21, 0.30, 0.15),
    "dense.n.original": (0.60, 0.50, 0.70),
    "dense.n+phrase.original": (0.60, 0.55, 0.65),
    "dense.n+qd.original": (0.62, 0.50, 0.68),
    "bm25.original": (0.30, 0.30, 0.30),
}


@pytest.fixture
def metrics() -> pd.DataFrame:
    rows = []
    for run, (macro, ar_ru, en_zh) in VALUES.items():
        parsed = RunName.parse(run)
        for q, d, value in (("all", "all", macro), ("ar", "ru", ar_ru), ("en", "zh", en_zh)):
            rows.append(("c", run, parsed.retriever, "original", q, d, "recall@100", value, 10))
            rows.append(("c", run, parsed.retriever, "original", q, d, "ndcg@100", 0.99, 10))
    return pd.DataFrame(rows, columns=COLUMNS)


def test_table_4_has_each_encoder_before_and_after_each_level_in_percent(metrics):
    table = finetuning_table(metrics, ["x", "n"], ["word", "phrase", "qd"], ["ar-ru", "en-zh", "ja-en"])
    assert list(table.columns) == ["dataset", "condition", "encoder", "level", "average", "ar-ru", "en-zh", "ja-en"]
    assert list(zip(table["encoder"], table["level"], strict=True)) == [
        ("x", "none"),
        ("x", "phrase"),
        ("x", "qd"),
        ("n", "none"),
        ("n", "phrase"),
        ("n", "qd"),
    ]  # word was not run: no row, not a fake one
    x_qd = table[(table["encoder"] == "x") & (table["level"] == "qd")].iloc[0]
    assert (x_qd["average"], x_qd["ar-ru"], x_qd["en-zh"]) == (21.0, 30.0, 15.0)
    assert table["ja-en"].isna().all()  # not a pair of this dataset
    assert "bm25" not in set(table["encoder"])


def test_table_5_names_the_best_configuration_per_measure_and_its_gain(metrics):
    table = finetuning_table(metrics, ["x", "n"], ["phrase", "qd"], ["ar-ru", "en-zh", "ja-en"])
    best = best_configurations(table, ["ar-ru", "en-zh", "ja-en"]).set_index("measure")
    assert list(best.index) == ["average", "ar-ru", "en-zh"]  # ja-en: no value anywhere
    assert tuple(best.loc["average", ["encoder", "level", "value", "gain"]]) == ("n", "qd", 62.0, 2.0)
    assert tuple(best.loc["ar-ru", ["encoder", "level", "value", "gain"]]) == ("n", "phrase", 55.0, 5.0)
    assert tuple(best.loc["en-zh", ["encoder", "level", "value", "gain"]]) == ("n", "none", 70.0, 0.0)  # fine-tuning did not help


RECORDS = [
    {"dataset": "c", "encoder": "x+qd", "base": "x", "level": "qd", "metric": "sequential_score", "best_epoch": 2,
     "curve": [{"epoch": 0, "score": 0.1}, {"epoch": 1, "score": 0.3}, {"epoch": 2, "score": 0.4}]},
    {"dataset": "c", "encoder": "x+phrase", "base": "x", "level": "phrase", "metric": "phrase_mean_accuracy", "best_epoch": 1,
     "curve": [{"epoch": 0, "score": 0.5}, {"epoch": 1, "score": 0.7}, {"epoch": 2, "score": 0.6}]},
]  # fmt: skip


def test_the_curves_are_tidy_with_the_kept_epoch_marked(tmp_path):
    frame = curve_frame(RECORDS)
    assert list(frame.columns) == ["dataset", "encoder", "base", "level", "metric", "epoch", "score", "best"]
    assert len(frame) == 6 and list(frame["level"]) == ["phrase"] * 3 + ["qd"] * 3
    assert frame.loc[frame["best"], ["encoder", "epoch"]].values.tolist() == [["x+phrase", 1], ["x+qd", 2]]
    curve_figure(frame, tmp_path / "curves.png")
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no fine-tuning records"):
        curve_figure(curve_frame([]), tmp_path / "none.png")
