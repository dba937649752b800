"""Tests of crossrank.report.steps: the translation table, the figures and the bias report, from the files the pipeline leaves."""

from __future__ import annotations

from pathlib import Path

import factories
import pandas as pd
import pytest

from crossrank.analyse.language_bias import language_bias
from crossrank.analyse.linguistic import pair_similarities
from crossrank.evaluate.metrics import write_metrics
from crossrank.report import steps

PNG = b"\x89PNG\r\n\x1a\n"
POOL = factories.six_document_pool()


def _metrics_file(metrics: pd.DataFrame, tmp_path: Path) -> str:
    path = tmp_path / "metrics.csv"
    write_metrics(str(path), metrics)
    return str(path)


def test_translation_table_is_one_row_per_system_in_percent(metrics, tmp_path):
    out_csv, out_md = tmp_path / "tables" / "t3.csv", tmp_path / "tables" / "t3.md"
    steps.translation_table(_metrics_file(metrics, tmp_path), "recall@100", str(out_csv), str(out_md))
    assert out_csv.read_text(encoding="utf-8").splitlines() == [
        "dataset,system,original,translated,difference",
        "d,bm25,10.0,30.0,20.0",
        "d,dense.m,50.0,60.0,10.0",
    ]
    lines = out_md.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Table 3: macro recall@100 (%) over all language pairs, original vs English-translated documents."
    assert lines[2:] == [
        "| dataset | system | original | translated | difference |",
        "|---|---|---:|---:|---:|",
        "| d | bm25 | 10.0 | 30.0 | 20.0 |",
        "| d | dense.m | 50.0 | 60.0 | 10.0 |",
    ]


def test_translation_table_reads_the_metric_it_is_given(metrics, tmp_path):
    out_csv = tmp_path / "t3.csv"
    steps.translation_table(_metrics_file(metrics, tmp_path), "ndcg@100", str(out_csv), str(tmp_path / "t3.md"))
    assert out_csv.read_text(encoding="utf-8").splitlines()[1:] == ["d,bm25,90.0,90.0,0.0", "d,dense.m,90.0,90.0,0.0"]


def _figures(
    metrics_path: str, tmp_path: Path, metric: str = "recall@100", dataset: str = "d", encoders: tuple[str, ...] = ("m",)
) -> tuple[Path, Path]:
    out_bm25, out_encoders = tmp_path / "figures" / "bm25.png", tmp_path / "figures" / "encoders.png"
    steps.figures(
        metrics_path,
        dataset,
        metric,
        ["de", "en"],
        ["de", "en"],
        ["original", "translated"],
        list(encoders),
        ["en-de", "ar-ru"],
        str(out_bm25),
        str(out_encoders),
    )
    return out_bm25, out_encoders


def test_figures_are_written_as_png(metrics, tmp_path):
    out_bm25, out_encoders = _figures(_metrics_file(metrics, tmp_path), tmp_path)
    assert out_bm25.read_bytes()[:8] == PNG
    assert out_encoders.read_bytes()[:8] == PNG


def test_figures_show_the_bm25_runs_per_condition_and_only_pairs_the_dataset_has(metrics, tmp_path, monkeypatch):
    calls = {}
    monkeypatch.setattr(steps, "heatmaps", lambda *args, **kwargs: calls.setdefault("heatmaps", (args, kwargs)))
    monkeypatch.setattr(steps, "grouped_bars", lambda *args, **kwargs: calls.setdefault("grouped_bars", (args, kwargs)))
    _figures(_metrics_file(metrics, tmp_path), tmp_path)
    (_, runs, titles, *_), heat_kwargs = calls["heatmaps"]
    assert (runs, titles, heat_kwargs["metric"]) == (
        ["bm25.original", "bm25.translated"],
        ["BM25, original documents", "BM25, translated documents"],
        "recall@100",
    )
    (_, systems, conditions, pairs, _), bar_kwargs = calls["grouped_bars"]
    assert (systems, conditions, pairs) == (["dense.m"], ["original", "translated"], ["en-de"])  # ar-ru: not in the dataset
    assert bar_kwargs == {"title": "Dense encoders on d: recall@100", "metric": "recall@100"}


def test_the_encoders_figure_shows_fine_tuned_encoders_beside_their_base(metrics, tmp_path, monkeypatch):
    calls = {}
    monkeypatch.setattr(steps, "grouped_bars", lambda *args, **kwargs: calls.setdefault("grouped_bars", args))
    _figures(_metrics_file(metrics, tmp_path), tmp_path, encoders=("m", "m+qd"))
    assert calls["grouped_bars"][1] == ["dense.m", "dense.m+qd"]


def test_figures_of_a_metric_the_metrics_lack_is_a_value_error(metrics, tmp_path):
    with pytest.raises(ValueError, match=r"metrics\.csv has no 'ndcg@10' rows for 'd'; add it to evaluation\.metrics"):
        _figures(_metrics_file(metrics, tmp_path), tmp_path, metric="ndcg@10")
    assert not (tmp_path / "figures").exists()


def test_figures_ignore_the_metrics_of_other_datasets(metrics, tmp_path):
    other = metrics.assign(dataset="other", metric="precision@5")
    path = _metrics_file(pd.concat([metrics, other], ignore_index=True), tmp_path)
    with pytest.raises(ValueError, match=r"no 'precision@5' rows for 'd'"):
        _figures(path, tmp_path, metric="precision@5")


@pytest.fixture
def bias_csv(tmp_path: Path) -> str:
    """The bias table of two runs over the six-document pool at depth 2, as the analyse step writes it."""
    frames = [
        language_bias("tiny", "dense.m.original", POOL.run, POOL.topics, POOL.doc_langs, depth=2),
        language_bias("tiny", "bm25.original", {"q2": {"e2": 1.0, "g1": 0.5}}, POOL.topics, POOL.doc_langs, depth=2),
    ]
    path = tmp_path / "bias.csv"
    pd.concat(frames, ignore_index=True).to_csv(path, index=False, lineterminator="\n")
    return str(path)


def _bias_outputs(tmp_path: Path) -> dict[str, str]:
    return {
        "csv": str(tmp_path / "out" / "bias.csv"),
        "markdown": str(tmp_path / "out" / "bias.md"),
        "figure": str(tmp_path / "out" / "bias.png"),
    }


def test_bias_report_writes_the_table_and_the_figure(bias_csv, tmp_path):
    out = _bias_outputs(tmp_path)
    steps.bias_report(bias_csv, "tiny", 2, ["dense.m.original", "bm25.original"], out)
    assert Path(out["csv"]).read_text(encoding="utf-8").splitlines() == [
        "run,same-language %,uniform %,de %,en %,fr %",
        "bm25.original,50.0,50.0,,,",  # its only query is monolingual: no cross-language shares
        "dense.m.original,62.5,41.7,50.0,25.0,25.0",
    ]
    lines = Path(out["markdown"]).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Document-language bias on tiny (top 2 documents per query): same-language % = ")
    assert lines[2:] == [
        "| run | same-language % | uniform % | de % | en % | fr % |",
        "|---|---:|---:|---:|---:|---:|",
        "| bm25.original | 50.0 | 50.0 |  |  |  |",
        "| dense.m.original | 62.5 | 41.7 | 50.0 | 25.0 | 25.0 |",
    ]
    assert Path(out["figure"]).read_bytes()[:8] == PNG


def test_bias_report_leaves_no_output_when_the_figure_fails(bias_csv, tmp_path):
    out = _bias_outputs(tmp_path)
    with pytest.raises(ValueError, match="none of the runs"):
        steps.bias_report(bias_csv, "tiny", 2, ["absent.original"], out)  # the tables are written before the figure fails
    assert [name for name in out if Path(out[name]).exists()] == []


def test_table_8_correlates_every_pairs_score_with_its_lang2vec_similarity(tmp_path):
    languages = ["de", "en", "es", "fr", "ja"]
    rows = []
    pairs = [(q, d) for q in languages for d in languages if q != d]
    geo = pair_similarities(pairs, {"geographic": "geo"})
    similarity = {(row.query_lang, row.doc_lang): row.similarity for row in geo.itertuples(index=False)}
    for run, sign in (("bm25.original", 1), ("dense.m.original", -1)):  # scores rising, then falling, with similarity
        for (q, d), value in similarity.items():
            rows.append(("d", run, run.rsplit(".", 1)[0], "original", q, d, "recall@100", 0.5 + sign * (value - 0.9), 9))
    frame = pd.DataFrame(rows, columns=["dataset", "run", "system", "condition", "query_lang", "doc_lang", "metric", "value", "n_queries"])
    out = {name: str(tmp_path / f"t8.{name}") for name in ("csv", "markdown", "similarities", "figure")}
    settings = {"feature_sets": {"geographic": "geo", "genealogical": "fam"}, "codes": {}}
    steps.linguistic_table(
        _metrics_file(frame, tmp_path), "recall@100", ["bm25.original", "dense.m.original", "dense.x.original"], settings, out
    )
    table = pd.read_csv(out["csv"]).set_index(["run", "feature"])
    assert table.loc[("bm25.original", "geographic"), "spearman"] == pytest.approx(1.0)
    assert table.loc[("dense.m.original", "geographic"), "spearman"] == pytest.approx(-1.0)
    assert set(table["n_pairs"]) == {len(pairs)} and table.loc[("bm25.original", "geographic"), "p_value"] < 0.05
    assert "| bm25.original | d | 100.0* |" in Path(out["markdown"]).read_text(encoding="utf-8")
    assert len(pd.read_csv(out["similarities"])) == 2 * len(pairs)
    assert Path(out["figure"]).read_bytes()[:8] == PNG
    with pytest.raises(ValueError, match="has none of Table 8's runs"):
        steps.linguistic_table(_metrics_file(frame, tmp_path), "recall@100", ["dense.x.original"], settings, out)
