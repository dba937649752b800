"""Tests of the findings report: every published number is shown with ours beside it, an item not run says how to
run it, marks and intervals reach Table 3's cells, and the HTML is one self-contained file."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from crossrank.core import layout
from crossrank.core.figures import save_figure
from crossrank.evaluate.metrics import COLUMNS, QUERY_COLUMNS
from crossrank.report.annotate import Uncertainty, ann_cells, best_cells, translation_cells
from crossrank.report.document import report_markdown
from crossrank.report.findings import Evidence
from crossrank.report.html import report_html
from crossrank.report.paper_beside import beside
from crossrank.report.paper_results import paper_rows, printed, read_paper_results
from crossrank.report.significance_table import COLUMNS as SIGNIFICANCE_COLUMNS
from crossrank.report.significance_table import INTERVAL_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"metric": "recall@100", "rerank_metrics": ["recall@10"], "confidence": 0.95, "feature_groups": {"geographic": "geo"}}
REFS = ["Figure 3", "Table 3", "Table 4", "Table 5", "Table 6", "Table 7", "Table 8"]


def _evidence(datasets: list[str]) -> Evidence:
    rows = [(name, "dense.me5.original", "dense.me5", "original", "all", "all", "recall@100", 0.5, 10) for name in datasets]
    linguistic = pd.DataFrame(
        [{"dataset": "clirmatrix", "run": "bm25.original", "feature": "geographic", "spearman": 0.25, "p_value": 0.1, "n_pairs": 56}]
    )
    empty = pd.DataFrame()
    return Evidence(datasets, pd.DataFrame(rows, columns=COLUMNS), pd.DataFrame(columns=QUERY_COLUMNS), empty, linguistic, empty, empty)


def _uncertainty() -> Uncertainty:
    return Uncertainty(pd.DataFrame(columns=INTERVAL_COLUMNS), pd.DataFrame(columns=SIGNIFICANCE_COLUMNS))


def _items() -> list[dict]:
    items = [{"key": ref, "title": ref, "refs": [ref], "enable": "some.key: true"} for ref in REFS]
    items[1]["enable"] = None  # Table 3 runs: a table with nothing of ours in it still lists the paper's cells
    return items


def test_every_published_number_appears_in_the_report_with_ours_beside_it(tmp_path: Path):
    paper = read_paper_results(ROOT / layout.PAPER_RESULTS)
    datasets = ["clirmatrix", "mmarco", "largescale"]
    text = report_markdown(_items(), _evidence(datasets), _uncertainty(), paper, {**SETTINGS, "alpha": 0.05}, tmp_path / "report.md")
    for ref in sorted(set(paper["ref"])):
        rows = paper_rows(paper, ref)
        assert f"The paper's {ref}: {len(rows)} published numbers" in text, ref
        for row in rows.itertuples(index=False):
            shown = f"| {row.dataset} | {row.system} | {row.condition} | {row.pair} | {row.metric}"
            assert re.search(re.escape(shown) + r"[^|]* \| " + re.escape(printed(row.value)) + r" \|", text), (ref, row)
    assert "| clirmatrix | dense.me5 | original | average | recall@100 | 48.3 | 50.0 |" in text  # ours beside the paper's
    assert "| mmarco | dense.labse | original | average | recall@100 |" in text and "| 65.2 | — |" in text  # not run: a dash
    assert "| clirmatrix | bm25 | original | average | spearman_rho (geo) | 80.5 | 25.0 |" in text
    assert "**Not run** in this configuration. Enable it with `some.key: true`." in text
    assert "Figure 3* is a figure: its numbers are not printed" in text


def test_a_run_without_the_papers_datasets_shows_a_dash_for_every_number(tmp_path: Path):
    paper = read_paper_results(ROOT / layout.PAPER_RESULTS)
    text = report_markdown(_items(), _evidence(["cldr"]), _uncertainty(), paper, {**SETTINGS, "alpha": 0.05}, tmp_path / "report.md")
    assert "this run has none of the paper's datasets" in text
    table3 = paper_rows(paper, "Table 3")
    assert text.count("| — |") >= len(table3)


def test_table_3_cells_carry_their_interval_and_the_mark_when_significant():
    table = pd.DataFrame([{"dataset": "d", "system": "bm25", "original": 10.0, "translated": 30.0, "difference": 20.0}])
    intervals = pd.DataFrame(
        [("d", "bm25.original", "recall@100", 0.1, 0.08, 0.12, 40), ("d", "bm25.translated", "recall@100", 0.3, 0.25, 0.35, 40)],
        columns=INTERVAL_COLUMNS,
    )
    significance = pd.DataFrame(
        [{"table": "table3", "dataset": "d", "run": "bm25.translated", "metric": "recall@100", "significant": True}]
    )
    shown = translation_cells(table, Uncertainty(intervals, significance), "recall@100").iloc[0]
    assert shown["original"] == "10.0 [8.0, 12.0]" and shown["translated"] == "30.0 [25.0, 35.0]†"
    unmarked = translation_cells(table, Uncertainty(intervals, significance.assign(significant=False)), "recall@100").iloc[0]
    assert unmarked["translated"] == "30.0 [25.0, 35.0]"
    other_table = translation_cells(table, Uncertainty(intervals, significance.assign(table="table4")), "recall@100").iloc[0]
    assert other_table["translated"] == "30.0 [25.0, 35.0]"  # a difference of another table's comparison is not Table 3's


def test_the_html_is_self_contained_with_every_image_inlined(tmp_path: Path):
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [0, 1])
    save_figure(fig, tmp_path / "figures" / "f.png")
    page = report_html("# Title\n\n| a | b |\n|---|---:|\n| x | 1.0 |\n\n![a figure](figures/f.png)\n", tmp_path, "t")
    sources = re.findall(r'src="([^"]+)"', page)
    assert len(sources) == 1 and sources[0].startswith("data:image/png;base64,")
    assert base64.b64decode(sources[0].split(",", 1)[1]) == (tmp_path / "figures" / "f.png").read_bytes()
    assert "<table>" in page and "<h1>Title</h1>" in page and "href=" not in page


def test_tables_5_and_7_carry_intervals_on_their_averages_only():
    intervals = pd.DataFrame(
        [
            ("d", "dense.a+qd.original", "recall@100", 0.5, 0.4, 0.6, 40),
            ("d", "dense.a.original", "recall@100", 0.3, 0.2, 0.4, 40),
            ("d", "ann.a.original", "recall@100", 0.29, 0.19, 0.39, 40),
        ],
        columns=INTERVAL_COLUMNS,
    )
    uncertainty = Uncertainty(intervals, pd.DataFrame(columns=SIGNIFICANCE_COLUMNS))
    best = pd.DataFrame(
        [
            {"dataset": "d", "condition": "original", "measure": "average", "encoder": "a", "level": "qd", "value": 50.0, "gain": 20.0},
            {"dataset": "d", "condition": "original", "measure": "en-es", "encoder": "a", "level": "qd", "value": 90.0, "gain": 5.0},
        ]
    )
    assert list(best_cells(best, uncertainty, "recall@100")["value"]) == ["50.0 [40.0, 60.0]", 90.0]
    ann = pd.DataFrame(
        [
            {"dataset": "d", "condition": "original", "encoder": "a", "exact": 30.0, "hnsw": 29.0, "hnsw - exact": -1.0},
            {
                "dataset": "d",
                "condition": "original",
                "encoder": "average (base encoders)",
                "exact": 30.0,
                "hnsw": 29.0,
                "hnsw - exact": -1.0,
            },
        ]
    )
    shown = ann_cells(ann, uncertainty, "recall@100")
    assert list(shown["exact"]) == ["30.0 [20.0, 40.0]", 30.0] and list(shown["hnsw"]) == ["29.0 [19.0, 39.0]", 29.0]


def test_the_papers_recall_at_100_is_set_beside_our_primary_metric():
    paper = read_paper_results(ROOT / layout.PAPER_RESULTS)
    rows = [
        ("clirmatrix", "dense.me5.original", "dense.me5", "original", "all", "all", metric, value, 10)
        for metric, value in (("recall@100", 0.2), ("success@100", 0.5))
    ]
    empty = pd.DataFrame()
    evidence = Evidence(["clirmatrix"], pd.DataFrame(rows, columns=COLUMNS), empty, empty, empty, empty, empty, metric="success@100")
    shown = beside(paper_rows(paper, "Table 3"), evidence, {}).set_index(["dataset", "system", "condition"])
    row = shown.loc[("clirmatrix", "dense.me5", "original")]
    assert (row["metric"], row["paper"], row["ours"]) == (
        "recall@100 (ours: success@100)",
        "48.3",
        "50.0",
    )  # the paper's Recall@100 is a hit rate
