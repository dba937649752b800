"""The whole DAG on the paper's three datasets, read from tiny releases in their exact released formats.

Runs Snakemake in a scratch copy of the project with CLIRMatrix, mMARCO and Large-Scale CLIR
fixtures as the datasets' directories, BM25 and the offline demo encoder (all-MiniLM-L6-v2),
and checks the results contract of each dataset end to end, graded evaluation against
trec_eval, the statistics tables, and that a malformed release fails with one clear message
and leaves no partial outputs. The MLflow tracking jobs are left out (``WITHOUT_TRACKING``): the
datasets change nothing they do.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import pytrec_eval
import yaml
from factories import retrieval_runs, shipped_fusions
from releases import write_clirmatrix, write_largescale_split, write_mmarco
from scratch_project import WITHOUT_TRACKING, copy_project, snakemake

from crossrank.core import layout
from crossrank.core.contract import base_language, read_docs_table, read_qrels, read_topics
from crossrank.core.runs import read_run
from crossrank.rerank.negatives import read_examples
from crossrank.rerank.training_data import read_candidates
from crossrank.translate.backends import RECORD_COLUMNS

pytestmark = pytest.mark.slow

DATASETS = {
    "clirmatrix": {"languages": ["de", "en", "ja"], "queries_per_pair": 10, "train_queries_per_pair": 5},
    "mmarco": {"languages": ["de", "en", "nl", "zh"], "train_queries_per_pair": 3},
    "largescale": {"languages": ["de", "ja", "simple"], "queries_per_pair": 10, "train_queries_per_pair": 3},
}
CONDITIONS = {"clirmatrix": ["original"], "mmarco": ["original", "translated"], "largescale": ["original"]}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    """A copy of the project whose datasets are the three fixture releases, after one full run."""
    root = copy_project(project_root, tmp_path_factory.mktemp("datasets") / "project")
    write_clirmatrix(root / "datasets/clirmatrix", DATASETS["clirmatrix"]["languages"])
    write_mmarco(root / "datasets/mmarco", DATASETS["mmarco"]["languages"])
    write_largescale_split(root / "datasets/largescale", DATASETS["largescale"]["languages"])
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["datasets"] = list(DATASETS)
    params["efficiency"]["enabled"] = False  # covered by test_cldr_dag.py
    # Query-document fine-tuning on each dataset's training pairs (phrase pairs are cldr's).
    params["finetune"].update(levels=["qd"], epochs=1, batch_size=4, max_train_pairs=16, max_validation_pairs=8)
    for dataset, settings in DATASETS.items():
        params[dataset].update(settings)
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False, allow_unicode=True))
    snakemake("--cores", "2", *WITHOUT_TRACKING, cwd=root)
    return root


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_each_dataset_leaves_the_whole_results_contract(project: Path, dataset: str):
    docs = read_docs_table(project / f"results/{dataset}/docs.tsv")
    topics = read_topics(project / f"results/{dataset}/topics.tsv")
    qrels = read_qrels(project / f"results/{dataset}/qrels.tsv")
    assert docs and topics and {t.qid for t in topics} == set(qrels)
    assert set(docs.values()) == set(DATASETS[dataset]["languages"])
    for topic in topics:  # no judgment crosses into another document language
        assert {docs[docid] for docid in qrels[topic.qid]} == {topic.doc_lang}
    runs = retrieval_runs(CONDITIONS[dataset], ["minilm"], ["minilm"], ["minilm+qd"], shipped_fusions(["minilm"]))  # and fused
    assert sorted(p.stem for p in (project / f"results/{dataset}/runs").glob("*.trec")) == sorted(runs)
    for run in runs:
        ranked = read_run(project / f"results/{dataset}/runs/{run}.trec")
        assert set(ranked) <= {t.qid for t in topics} and all(set(r) <= set(docs) for r in ranked.values())
    for template in (layout.FIGURE_BM25, layout.FIGURE_ENCODERS, layout.FIGURE_BIAS):
        assert (project / layout.fill(template, dataset=dataset)).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(project / layout.fill(layout.BIAS, dataset=dataset), newline="") as handle:
        bias = list(csv.DictReader(handle))
    reranked = [
        f"rerank.{reranker}{mode}.bm25.original" for reranker in ("none", "chance", "minilm-easy", "minilm-hard") for mode in ("", "-asis")
    ]
    assert sorted(p.stem for p in (project / f"results/{dataset}/reranked").glob("*.trec")) == sorted(reranked)
    assert {row["run"] for row in bias} == set(runs + reranked)
    # The bias measures read Simple English as English (the paper's Table 1).
    languages = {base_language(lang) for lang in DATASETS[dataset]["languages"]}
    assert {row["doc_lang"] for row in bias if row["measure"] == "retrieved_language"} == languages
    with open(project / "results/metrics.csv", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["dataset"] == dataset]
    assert {row["run"] for row in rows} == set(runs + reranked)
    pairs = {(row["query_lang"], row["doc_lang"]) for row in rows} - {("all", "all")}
    assert pairs == {(t.query_lang, t.doc_lang) for t in topics}


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_hard_negatives_come_from_the_release_candidate_lists_where_there_are_any(project: Path, dataset: str):
    record = json.loads((project / layout.fill(layout.RERANK_PAIRS_RECORD, dataset=dataset, negatives="hard")).read_text())
    listed = read_candidates(project / layout.fill(layout.TRAINING_CANDIDATES, dataset=dataset))
    assert record["source"] == ("retriever:bm25" if dataset == "largescale" else "release") and bool(listed) == (dataset != "largescale")
    rows = [
        row
        for split in ("train", "validation")
        for row in read_examples(project / layout.fill(layout.RERANK_PAIRS, dataset=dataset, negatives="hard", split=split))
    ]
    negatives = [row.document for row in rows if row.label == 0]
    assert record["negatives_found"] == len(negatives) <= record["negatives_wanted"]
    if listed:  # each one of the release's own candidates (a query whose label-0 results are all pool documents has none)
        assert len(negatives) > record["negatives_wanted"] / 2 and set(negatives) <= {c.text for c in listed}
    # Large-Scale's English queries share no term with this fixture's German and Japanese training
    # documents, so BM25 finds no hard negative there (the job warns; retriever: <encoder> is the remedy).


def test_graded_clirmatrix_labels_reach_the_evaluation_as_trec_eval_reads_them(project: Path):
    topics = read_topics(project / "results/clirmatrix/topics.tsv")
    qrels = read_qrels(project / "results/clirmatrix/qrels.tsv")
    assert {label for rels in qrels.values() for label in rels.values()} >= {0, 2, 6}
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.100", "recall.10"}, relevance_level=1)
    scores = evaluator.evaluate(read_run(project / "results/clirmatrix/runs/dense.minilm.original.trec"))
    by_pair = defaultdict(list)
    for topic in topics:
        by_pair[f"{topic.query_lang}-{topic.doc_lang}"].append(scores.get(topic.qid, {}).get("ndcg_cut_100", 0.0))
    with open(project / "results/metrics.csv", newline="") as handle:
        ours = {
            f"{r['query_lang']}-{r['doc_lang']}": float(r["value"])
            for r in csv.DictReader(handle)
            if r["run"] == "dense.minilm.original" and r["dataset"] == "clirmatrix" and r["metric"] == "ndcg@100"
        }
    for pair, values in by_pair.items():
        assert ours[pair] == pytest.approx(sum(values) / len(values), abs=5e-5), pair


def test_mmarco_translated_condition_is_the_english_passages(project: Path):
    translated = (project / "data/translated/mmarco/documents.tsv").read_text().splitlines()[1:]
    oracle = (project / "data/original/mmarco/oracle_en.tsv").read_text().splitlines()[1:]
    assert translated == oracle
    backends = {line.split("\t")[2] for line in (project / "results/mmarco/translations.tsv").read_text().splitlines()[1:]}
    assert backends == {"oracle", "copy"}  # English passages are copied
    untranslated = (project / "data/translated/clirmatrix/summary.tsv").read_text().splitlines()[1:]
    assert untranslated and all(line.split("\t")[1] == "none" for line in untranslated)
    assert (project / "results/clirmatrix/translations.tsv").read_text().splitlines() == ["\t".join(RECORD_COLUMNS)]


def test_statistics_and_sources_are_recorded(project: Path):
    with open(project / "results/clirmatrix/statistics.csv", newline="") as handle:
        rows = {(r["statistic"], r["key"]): int(r["value"]) for r in csv.DictReader(handle)}
    assert rows[("shortfall_queries", "ja-de")] == 10 - rows[("test_queries", "ja-de")] > 0
    assert rows[("paper", "documents")] == 9055 and rows[("missing_documents", "de-en")] > 0
    sources = (project / layout.RAW_SOURCES).read_text().splitlines()
    assert [line.split("\t")[:3] for line in sources[1:]] == [[d, "local", f"datasets/{d}"] for d in DATASETS]


def test_second_run_has_nothing_to_do(project: Path):
    result = snakemake("--cores", "2", *WITHOUT_TRACKING, cwd=project)
    assert "Nothing to be done" in result.stdout + result.stderr


def test_malformed_release_fails_with_file_and_line_and_leaves_no_outputs(project: Path, tmp_path: Path):
    path = project / "datasets/clirmatrix/MULTI-8/en/en.ja.test1.jl.gz"
    backup = shutil.copy(path, tmp_path / path.name)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    lines[2] = lines[2][:-3]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    try:
        result = snakemake("--cores", "2", "results/clirmatrix/topics.tsv", cwd=project, check=False)
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert "en.ja.test1.jl.gz:3: malformed JSON" in output
        assert "Traceback" not in (project / "logs/prepare/clirmatrix.log").read_text()
        for name in ("docs.tsv", "topics.tsv", "qrels.tsv", "statistics.csv"):
            assert not (project / "results/clirmatrix" / name).exists(), name
        assert not (project / layout.fill(layout.QUERIES, dataset="clirmatrix")).exists()
    finally:
        shutil.copy(backup, path)


def test_the_report_sets_our_numbers_beside_the_papers_on_its_datasets(project: Path):
    text = (project / layout.REPORT_MD).read_text(encoding="utf-8")
    for dataset in DATASETS:
        ours = re.search(
            rf"^\| {dataset} \| rerank\.none\.bm25 \| original \| average \| recall@10 \| [0-9.]+ \| ([^|]+) \|$", text, re.MULTILINE
        )
        assert ours and re.fullmatch(r"[0-9]+\.[0-9]", ours.group(1).strip()), dataset  # Table 6's BM25 row: ours, not a dash
    assert "this run has none of the paper's datasets" not in text
