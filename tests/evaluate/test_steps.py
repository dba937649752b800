"""Tests of crossrank.evaluate.steps: one run's metrics file, and the merged metrics table with its per-run summaries."""

from __future__ import annotations

import json
import math
from pathlib import Path

import factories

from crossrank.evaluate import steps
from crossrank.evaluate.metrics import metrics_frame, write_metrics

HEADER = "dataset,run,system,condition,query_lang,doc_lang,metric,value,n_queries"
SETTINGS = {"metrics": ["recall@10", "ndcg@10"], "relevance_level": 1}

TOPICS = factories.topics({"q1": ("en", "de", "first"), "q2": ("en", "de", "second"), "q3": ("fr", "de", "third")})
# q4 is judged but has no topic: it is not evaluated.
QRELS = factories.qrels({"q1": ["d1"], "q2": ["d2"], "q3": {"d3": 2}, "q4": ["d4"]})
# q1 finds d1 at rank 1, q2 misses d2, q3 finds d3 at rank 2 (nDCG 1 / log2(3)).
RUN = {"q1": {"d1": 2.0, "d9": 1.0}, "q2": {"d9": 1.0}, "q3": {"d8": 2.0, "d3": 1.0}, "q4": {"d4": 1.0}}


def _files(tmp_path: Path, run_name: str = "bm25.original") -> tuple[str, str, str, str]:
    pool = {f"d{i}": "de" for i in range(1, 10)}
    files = factories.write_contract(tmp_path, topics=TOPICS, qrels=QRELS, docs_table=pool)
    run = factories.write_run_file(tmp_path / "runs" / f"{run_name}.trec", RUN, tag=run_name)
    return str(run), str(files["qrels"]), str(files["topics"]), str(files["docs"])


def test_evaluate_writes_macro_then_pair_rows_per_metric(tmp_path):
    out = tmp_path / "metrics" / "bm25.original.csv"
    queries = tmp_path / "metrics" / "queries" / "bm25.original.csv"
    steps.evaluate(*_files(tmp_path), "tiny", "bm25.original", SETTINGS, str(out), str(queries))
    ndcg_fr = 1 / math.log2(3)
    assert out.read_text(encoding="utf-8").splitlines() == [
        HEADER,
        f"tiny,bm25.original,bm25,original,all,all,ndcg@10,{round((0.5 + ndcg_fr) / 2, 6):.6f},3",
        "tiny,bm25.original,bm25,original,en,de,ndcg@10,0.500000,2",
        f"tiny,bm25.original,bm25,original,fr,de,ndcg@10,{ndcg_fr:.6f},1",
        "tiny,bm25.original,bm25,original,all,all,recall@10,0.750000,3",
        "tiny,bm25.original,bm25,original,en,de,recall@10,0.500000,2",
        "tiny,bm25.original,bm25,original,fr,de,recall@10,1.000000,1",
    ]
    assert queries.read_text(encoding="utf-8").splitlines() == [  # every evaluated query's value: what the pair means average
        "dataset,run,qid,query_lang,doc_lang,metric,value",
        "tiny,bm25.original,q1,en,de,ndcg@10,1.000000",
        "tiny,bm25.original,q2,en,de,ndcg@10,0.000000",
        f"tiny,bm25.original,q3,fr,de,ndcg@10,{ndcg_fr:.6f}",
        "tiny,bm25.original,q1,en,de,recall@10,1.000000",
        "tiny,bm25.original,q2,en,de,recall@10,0.000000",
        "tiny,bm25.original,q3,fr,de,recall@10,1.000000",
    ]


def test_evaluate_takes_the_relevance_level_from_the_settings(tmp_path):
    out = tmp_path / "m.csv"
    steps.evaluate(
        *_files(tmp_path),
        "tiny",
        "bm25.original",
        {"metrics": ["recall@10"], "relevance_level": 2},
        str(out),
        str(tmp_path / "queries.csv"),
    )
    # Only q3's document is labelled 2: q1 and q2 have no relevant document at this level.
    assert out.read_text(encoding="utf-8").splitlines() == [
        HEADER,
        "tiny,bm25.original,bm25,original,all,all,recall@10,1.000000,1",
        "tiny,bm25.original,bm25,original,fr,de,recall@10,1.000000,1",
    ]


def test_evaluate_takes_the_relevance_mode_from_the_settings(tmp_path):
    files = factories.write_contract(
        tmp_path, topics=TOPICS[:1], qrels={"q1": {"d1": 1, "d2": 3}}, docs_table={"d1": "de", "d2": "de", "d9": "de"}
    )
    run = factories.write_run_file(tmp_path / "runs" / "bm25.original.trec", {"q1": {"d1": 2.0, "d9": 1.0}}, tag="bm25.original")
    values = {}
    for mode in ("threshold", "top"):
        out = tmp_path / f"{mode}.csv"
        settings = {"metrics": ["success@10"], "relevance_level": 1, "relevance": mode}
        steps.evaluate(
            str(run),
            str(files["qrels"]),
            str(files["topics"]),
            str(files["docs"]),
            "tiny",
            "bm25.original",
            settings,
            str(out),
            str(tmp_path / "queries.csv"),
        )
        values[mode] = out.read_text(encoding="utf-8").splitlines()[1].split(",")[-2]
    # d1 (label 1) is retrieved, d2 (the top label, 3) is not: a hit only when every label >= 1 counts.
    assert values == {"threshold": "1.000000", "top": "0.000000"}


def test_evaluate_names_the_system_and_condition_from_the_run_name(tmp_path):
    out = tmp_path / "m.csv"
    steps.evaluate(
        *_files(tmp_path),
        "tiny",
        "dense.minilm+qd.translated",
        {"metrics": ["recall@10"], "relevance_level": 1},
        str(out),
        str(tmp_path / "queries.csv"),
    )
    rows = [line.split(",") for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    assert {tuple(row[1:4]) for row in rows} == {("dense.minilm+qd.translated", "dense.minilm+qd", "translated")}


def _write_run_metrics(path: Path, dataset: str, run_name: str, recall: float) -> str:
    table = {
        ("all", "all", "recall@10"): (recall, 3),
        ("en", "de", "recall@10"): (recall, 2),
        ("de", "en", "recall@10"): (recall / 2, 1),
        ("all", "all", "ndcg@10"): (recall, 3),
        ("en", "de", "ndcg@10"): (recall, 2),
        ("de", "en", "ndcg@10"): (recall / 4, 1),
    }
    write_metrics(str(path), metrics_frame(dataset, run_name, table))
    return str(path)


def _collect(tmp_path: Path) -> tuple[Path, Path, Path]:
    paths = [
        _write_run_metrics(tmp_path / "b.csv", "tiny", "dense.m.original", 0.5),
        _write_run_metrics(tmp_path / "c.csv", "other", "bm25.original", 0.125),
        _write_run_metrics(tmp_path / "a.csv", "tiny", "bm25.original", 0.25),
    ]
    results = tmp_path / "results"
    out_metrics, out_summary, out_pairs = results / "metrics.csv", results / "metrics", results / "per_pair"
    steps.collect_metrics(paths, [], str(out_metrics), str(out_summary), str(results / "per_query.csv"), str(out_pairs))
    return out_metrics, out_summary, out_pairs


def test_collect_metrics_merges_the_tables_sorted_by_dataset_and_run(tmp_path):
    out_metrics, _, _ = _collect(tmp_path)
    lines = out_metrics.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER and len(lines) == 1 + 3 * 6
    assert lines[1:4] == [
        "other,bm25.original,bm25,original,all,all,ndcg@10,0.125000,3",
        "other,bm25.original,bm25,original,de,en,ndcg@10,0.031250,1",
        "other,bm25.original,bm25,original,en,de,ndcg@10,0.125000,2",
    ]
    assert [line.split(",")[1] for line in lines[1:]] == ["bm25.original"] * 12 + ["dense.m.original"] * 6
    assert [line.split(",")[0] for line in lines[1:]] == ["other"] * 6 + ["tiny"] * 12


def test_collect_metrics_writes_one_flat_summary_per_run_which_dvc_shows_as_one_row(tmp_path):
    """``dvc metrics show`` prints one row per metrics file, one column per (flattened) key: a file per run, its
    macro averages as flat keys, is a table with one row per run and one column per metric."""
    _, out_summary, _ = _collect(tmp_path)
    files = sorted(str(p.relative_to(out_summary)) for p in out_summary.rglob("*") if p.is_file())
    assert files == ["other/bm25.original.json", "tiny/bm25.original.json", "tiny/dense.m.original.json"]
    text = (out_summary / "tiny" / "dense.m.original.json").read_text(encoding="utf-8")
    assert text == json.dumps({"ndcg@10": 0.5, "recall@10": 0.5}, indent=2, sort_keys=True) + "\n"
    assert json.loads((out_summary / "other" / "bm25.original.json").read_text()) == {"ndcg@10": 0.125, "recall@10": 0.125}


def test_collect_metrics_writes_a_table_per_run_with_one_row_per_language_pair(tmp_path):
    _, _, out_pairs = _collect(tmp_path)
    assert sorted(p.name for p in (out_pairs / "tiny").iterdir()) == ["bm25.original.csv", "dense.m.original.csv"]
    assert (out_pairs / "other" / "bm25.original.csv").read_text(encoding="utf-8").splitlines() == [
        "pair,query_lang,doc_lang,n_queries,ndcg@10,recall@10",
        "de-en,de,en,1,0.031250,0.062500",
        "en-de,en,de,2,0.125000,0.125000",
    ]


def test_collect_metrics_replaces_the_directories_whole(tmp_path):
    """A run dropped from the configuration leaves no summary behind (``dvc metrics show`` would list it)."""
    stale = tmp_path / "results" / "metrics" / "tiny" / "dropped.original.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}\n")
    _, out_summary, _ = _collect(tmp_path)
    assert not stale.exists() and (out_summary / "tiny" / "bm25.original.json").exists()
    assert not [p for p in out_summary.parent.iterdir() if p.name.startswith(".")]  # no staging directory left
