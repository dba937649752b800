"""The whole DAG on a tiny configuration, run by Snakemake in a scratch copy of the project.

Checks the results contract, agreement with trec_eval (pytrec_eval), MLflow runs, that a re-run
does nothing, that an encoder change re-runs only that encoder's branch, that a malformed
params file fails before any job, and the DVC push -> fresh clone -> pull round trip.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import pytrec_eval
import yaml
from factories import leaked_evaluation_texts, retrieval_runs, shipped_fusions
from scratch_project import copy_project
from scratch_project import run as _run
from scratch_project import snakemake as _snakemake

from crossrank.core import layout
from crossrank.core.contract import read_qrels, read_topics
from crossrank.core.runs import read_run
from crossrank.finetune.pairs import read_query_documents
from crossrank.rerank.negatives import read_examples

pytestmark = pytest.mark.slow

LANGUAGES = ["ar", "de", "en", "es", "fr", "ja", "ru", "zh"]
ENCODERS = ["tiny", "tinycls"]
FINETUNED = ["tiny+phrase", "tiny+qd"]
RUNS = retrieval_runs(["original", "translated"], ENCODERS, ENCODERS, FINETUNED, shipped_fusions(ENCODERS))  # exact, HNSW, fused
RERANKED = [f"rerank.{reranker}{mode}.bm25.original" for reranker in ("none", "chance", "tiny-easy", "tiny-hard") for mode in ("", "-asis")]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, tiny_bert: Path, project_root: Path) -> Path:
    """A copy of the project configured tiny (160 entities, two tiny encoders), after one full run."""
    root = copy_project(project_root, tmp_path_factory.mktemp("pipeline") / "project")
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["cldr"]["max_entities"] = 160
    base = {"model": str(tiny_bert), "max_length": 32, "batch_size": 16}
    params["encoders"] = {"tiny": dict(base), "tinycls": {**base, "pooling": "cls"}}
    params["efficiency"].update({"sizes": [100, 1000], "queries": 50, "latency_queries": 10})
    params["finetune"].update(encoders=["tiny"], epochs=1, batch_size=8, max_train_pairs=64, max_validation_pairs=16)
    params["rerank"].update(models=["tiny"], max_train_queries=64, queries_per_pair=2, max_length=32)
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    _snakemake("--cores", "2", cwd=root)
    return root


def test_results_contract_is_complete(project: Path):
    docs = (project / "results/cldr/docs.tsv").read_text().splitlines()
    assert len(docs) == 160 and all(len(line.split("\t")) == 2 for line in docs)
    topics = read_topics(project / "results/cldr/topics.tsv")
    qrels = read_qrels(project / "results/cldr/qrels.tsv")
    assert {t.qid for t in topics} == set(qrels)
    assert {(t.query_lang, t.doc_lang) for t in topics} == {(q, d) for q in LANGUAGES for d in LANGUAGES if q != d}
    for run in RUNS:
        lines = (project / f"results/cldr/runs/{run}.trec").read_text().splitlines()
        assert lines, run
        per_query: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for line in lines:
            qid, q0, _docid, rank, score, tag = line.split()
            assert q0 == "Q0" and tag == run
            per_query[qid].append((int(rank), float(score)))
        for ranked in per_query.values():
            assert [r for r, _ in ranked] == list(range(1, len(ranked) + 1))
            assert len(ranked) <= 100
            assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    for path in [layout.TABLE_TRANSLATION_CSV, layout.TABLE_TRANSLATION_MD]:
        assert (project / path).stat().st_size > 0
    # `dvc metrics show` / `dvc plots show`: one summary and one per-pair table per evaluated run, and nothing else
    assert sorted(p.name for p in (project / layout.METRICS_SUMMARY / "cldr").iterdir()) == sorted(f"{r}.json" for r in RUNS + RERANKED)
    assert sorted(p.name for p in (project / layout.PAIR_METRICS / "cldr").iterdir()) == sorted(f"{r}.csv" for r in RUNS + RERANKED)
    for template in (layout.FIGURE_BM25, layout.FIGURE_ENCODERS, layout.FIGURE_BIAS):
        assert (project / layout.fill(template, dataset="cldr")).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_findings_report_shows_every_item_a_verdict_per_finding_and_pdfs_of_every_figure(project: Path):
    text = (project / layout.REPORT_MD).read_text(encoding="utf-8")
    for title in ("Figure 3", "Figures 4 and 7", "Table 3", "Table 4", "Figure 5", "Table 5", "Table 6", "Table 7", "Table 8"):
        assert f"### {title}" in text, title
    assert "**Not run**" not in text  # the tiny configuration runs every experiment
    verdicts = re.findall(r"^\| (\d) \| [^|]+ \| cldr \| (✅ supported|❌ not supported|➖ not applicable) \|", text, flags=re.MULTILINE)
    assert [number for number, _ in verdicts] == [str(n) for n in range(1, 9)]
    assert "†" in text or "[" in text  # intervals (and marks where significant) in Tables 3, 4 and 6
    page = (project / layout.REPORT_HTML).read_text(encoding="utf-8")
    images = re.findall(r'<img alt="[^"]*" src="([^"]+)"', page)
    assert len(images) == text.count("![") and all(src.startswith("data:image/png;base64,") for src in images)
    for png in [*project.glob("results/figures/**/*.png"), *project.glob("results/efficiency/*.png")]:
        assert png.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-", png


def test_snakemakes_own_report_builds_with_every_captioned_table_and_figure(project: Path):
    _snakemake("--report", "snakemake_report.html", cwd=project)
    page = (project / "snakemake_report.html").read_text(encoding="utf-8")
    for caption in ("The paper's Figure 3", "The paper's Table 8", "The findings report", "best_vs_bm25.png", "table6_reranking.md"):
        assert caption in page, caption


def test_no_training_file_holds_an_evaluated_query_or_a_test_entitys_name(project: Path):
    files = sorted(p.name for p in (project / "data/finetune/cldr/pairs").glob("*.tsv"))
    assert files == ["phrase.train.tsv", "phrase.validation.tsv", "qd.train.tsv", "qd.validation.tsv"]
    reranking = sorted(p.name for p in (project / "data/rerank/cldr/pairs").glob("*.csv"))
    assert reranking == ["easy.train.csv", "easy.validation.csv", "hard.train.csv", "hard.validation.csv"]
    assert leaked_evaluation_texts(project, "cldr", contains=True) == []
    pairs = read_query_documents(project / layout.fill(layout.QUERY_DOCUMENTS, dataset="cldr"))
    training_side = {p.text_a for p in pairs} | {p.text_b for p in pairs}
    for name in reranking:  # every cross-encoder text is a training-side query or document (which prepare checked by name)
        assert {
            text for row in read_examples(project / "data/rerank/cldr/pairs" / name) for text in (row.query, row.document)
        } <= training_side


def test_every_re_ranker_re_ranks_bm25_in_both_modes_on_the_sampled_queries(project: Path):
    sampled = read_topics(project / "data/rerank/cldr/queries.tsv")
    assert len(sampled) == 56 * 2  # rerank.queries_per_pair on each of the 56 pairs
    qrels = read_qrels(project / "results/cldr/qrels.tsv")
    for reranker in ("none", "chance", "tiny-easy", "tiny-hard"):
        gold = read_run(project / f"results/cldr/reranked/rerank.{reranker}.bm25.original.trec")
        as_is = read_run(project / f"results/cldr/reranked/rerank.{reranker}-asis.bm25.original.trec")
        assert set(gold) <= {t.qid for t in sampled} and set(as_is) <= set(gold)
        assert all(set(qrels[qid]) & set(docs) for qid, docs in gold.items())  # inject_gold: a relevant candidate for every query
    bm25 = read_run(project / "results/cldr/runs/bm25.original.trec")
    for qid, docs in read_run(project / "results/cldr/reranked/rerank.tiny-hard-asis.bm25.original.trec").items():
        assert set(docs) == set(sorted(bm25[qid], key=bm25[qid].get, reverse=True)[:100])  # as_is: the top 100 as they were
    table = (project / layout.TABLE_RERANK_MD).read_text(encoding="utf-8")
    assert "cldr: a seeded 2 re-ranked queries per language pair" in table and "| tiny-hard |" in table
    with open(project / layout.METRICS, newline="") as handle:
        rows = list(csv.DictReader(handle))
    n_queries = {row["n_queries"] for row in rows if row["run"].startswith("rerank.") and row["query_lang"] == "all"}
    assert n_queries == {"112"}  # re-ranked runs are evaluated on the re-ranked queries only


def test_every_run_has_its_language_bias_and_ann_runs_their_cached_index(project: Path):
    with open(project / layout.fill(layout.BIAS, dataset="cldr"), newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["run"] for r in rows} == set(RUNS + RERANKED)
    same = {r["run"]: float(r["value"]) for r in rows if r["measure"] == "same_language" and r["query_lang"] == "all"}
    assert set(same) == set(RUNS + RERANKED) and all(0.0 <= v <= 1.0 for v in same.values())
    markdown = (project / layout.fill(layout.TABLE_BIAS_MD, dataset="cldr")).read_text()
    assert all(f"| {run} |" in markdown for run in RUNS)
    with open(project / layout.fill(layout.TABLE_BIAS_CSV, dataset="cldr"), newline="") as handle:
        summary = {row["run"]: row for row in csv.DictReader(handle)}
    assert set(summary) == set(RUNS + RERANKED)
    assert all(float(summary[run]["same-language %"]) == round(100 * same[run], 1) for run in RUNS)
    metadata = sorted((project / layout.ANN_CACHE).glob("*/metadata.json"))
    # One index per distinct document matrix (encoder and condition): the cache is keyed by content, so a
    # fine-tuned encoder whose best epoch is the untrained one (epoch 0) shares its base's indexes.
    matrices = {hashlib.sha256(path.read_bytes()).hexdigest() for path in (project / "data/embeddings/cldr").glob("*/documents.*.npy")}
    assert len(metadata) == len(matrices) >= 2 * len(ENCODERS)


def test_the_efficiency_study_says_which_sizes_are_real(project: Path):
    with open(project / layout.EFFICIENCY_CSV, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {(int(r["size"]), r["source"]) for r in rows} == {(100, "real"), (1000, "synthetic-clustered")}  # 160 documents
    assert {r["method"] for r in rows} == {"exact", "hnsw"} and all(int(r["dim"]) == 32 for r in rows)  # the tiny encoder's
    report = (project / layout.EFFICIENCY_MD).read_text()
    assert "The paper's Table 7" in report and "Crossover" in report
    assert (project / layout.EFFICIENCY_FIGURE).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(project / layout.EFFICIENCY_SUMMARY_CSV, newline="") as handle:
        assert sorted(int(row["size"]) for row in csv.DictReader(handle)) == sorted({int(row["size"]) for row in rows})


def test_metrics_have_every_pair_and_agree_with_trec_eval(project: Path):
    with open(project / "results/metrics.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["dataset", "run", "system", "condition", "query_lang", "doc_lang", "metric", "value", "n_queries"]
    topics = read_topics(project / "results/cldr/topics.tsv")
    qrels = read_qrels(project / "results/cldr/qrels.tsv")
    measures = {"recall@100": "recall_100", "recall@10": "recall_10", "ndcg@100": "ndcg_cut_100"}
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, {"recall.10,100", "ndcg_cut.100"}, relevance_level=1)
    by_pair: dict[tuple[str, str], list[str]] = defaultdict(list)
    for topic in topics:
        by_pair[(topic.query_lang, topic.doc_lang)].append(topic.qid)
    for run in RUNS:
        ours = {(r["query_lang"], r["doc_lang"], r["metric"]): float(r["value"]) for r in rows if r["run"] == run}
        assert len(ours) == 4 * (56 + 1), run
        # cldr judges one relevant document per query, so trec_eval's recall and the hit rate agree.
        for (q, d, metric), value in ours.items():
            if metric == "recall@100":
                assert ours[(q, d, "success@100")] == value, (run, q, d)
        scores = evaluator.evaluate(read_run(project / f"results/cldr/runs/{run}.trec"))
        pair_means = defaultdict(list)
        for (q, d), qids in by_pair.items():
            for metric, trec_name in measures.items():
                # trec_eval -c: a topic with nothing retrieved scores 0
                values = [scores.get(qid, {}).get(trec_name, 0.0) for qid in qids]
                expected = sum(values) / len(values)
                assert ours[(q, d, metric)] == pytest.approx(expected, abs=5e-5), (run, q, d, metric)
                pair_means[metric].append(expected)
        for metric, means in pair_means.items():
            assert ours[("all", "all", metric)] == pytest.approx(sum(means) / len(means), abs=5e-5)


def test_every_cldr_query_judges_exactly_one_relevant_document(project: Path):
    qrels = read_qrels(project / "results/cldr/qrels.tsv")
    assert {sum(1 for label in judged.values() if label >= 1) for judged in qrels.values()} == {1}


def test_each_run_is_an_mlflow_run_with_params_metrics_artifacts_and_commit(project: Path):
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{project / 'results/mlflow/mlflow.db'}")
    experiment = client.get_experiment_by_name("crossrank/cldr")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    assert sorted(r.info.run_name for r in runs if r.data.tags["kind"] == "retrieval") == sorted(RUNS + RERANKED)
    hard = next(r for r in runs if r.info.run_name == "rerank.tiny-hard.bm25.original")
    training = next(r for r in runs if r.info.run_name == "rerank_train.tiny-hard")
    assert hard.data.tags["rerank_run_id"] == training.info.run_id and training.data.tags["kind"] == "rerank_train"
    assert training.data.tags["negatives_source"] == "retriever:bm25"  # cldr has no release candidate lists
    assert (hard.data.tags["encoder"], hard.data.tags["negatives"], hard.data.tags["rerank_mode"]) == ("tiny", "hard", "inject_gold")
    assert training.data.metrics["negatives_found"] <= training.data.metrics["negatives_wanted"]
    report = next(r for r in runs if r.data.tags["kind"] == "report")
    assert {"table3_translation.md", "bm25_heatmap.png", "encoders.png", "language_bias.png", "language_bias.md", "metrics.csv"} <= {
        a.path for a in client.list_artifacts(report.info.run_id)
    }
    assert "dense.tiny.translated/recall_at_100" in report.data.metrics
    dense = next(r for r in runs if r.info.run_name == "dense.tinycls.original")
    assert dense.data.params["encoder.pooling"] == "cls"
    assert dense.data.params["cldr.max_entities"] == "160"
    assert 0.0 <= dense.data.metrics["recall_at_100"] <= 1.0
    assert "recall_at_100/ar-ru" in dense.data.metrics
    assert "git_commit" in dense.data.tags and dense.data.tags["condition"] == "original"
    artifacts = {a.path for a in client.list_artifacts(dense.info.run_id)}
    assert {"dense.tinycls.original.trec", "dense.tinycls.original.csv"} <= artifacts
    hnsw = next(r for r in runs if r.info.run_name == "ann.tiny.translated")
    assert (hnsw.data.params["ann.m"], hnsw.data.params["ann.ef_construction"], hnsw.data.params["encoder.name"]) == ("16", "200", "tiny")
    assert hnsw.data.params["embedding.storage"] == "float32" and "ann.m" not in dense.data.params
    assert hnsw.data.params["embedding.resolved.precision"] == "float32"  # what "auto" became on this machine


def test_second_run_with_nothing_changed_runs_no_job(project: Path):
    result = _snakemake("--cores", "2", cwd=project)
    assert "Nothing to be done" in result.stdout + result.stderr


def test_changing_one_encoder_setting_reruns_only_its_branch(project: Path, tmp_path: Path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(yaml.safe_dump({"encoders": {"tiny": {"max_length": 16}}}))
    dry = _snakemake("-n", "--cores", "2", "--configfiles", "params.yaml", str(overlay), cwd=project)
    output = dry.stdout + dry.stderr
    rules = set(re.findall(r"^rule (\w+):", output, flags=re.MULTILINE))
    wildcards = re.findall(r"^\s+wildcards: (.*)$", output, flags=re.MULTILINE)
    assert {"embed", "dense_search"} <= rules
    assert not rules & {"prepare_cldr", "translate", "bm25_index", "bm25_search"}
    own = [re.sub(r"bm25\+dense\.tiny(?![a-z])", "", w) for w in wildcards]  # tiny's fusions with BM25 are its branch too
    assert all("tinycls" not in w and "bm25" not in w for w in own), wildcards
    assert any("members=bm25+dense.tiny," in w for w in wildcards)
    assert any("encoder=tiny" in w for w in wildcards)


def test_malformed_params_fail_before_any_job_naming_the_key(project: Path, tmp_path: Path):
    for overlay, key in [({"bm25": {"k3": 1.0}}, "bm25.k3"), ({"retrieval": {"top_k": "many"}}, "retrieval.top_k")]:
        path = tmp_path / "bad.yaml"
        path.write_text(yaml.safe_dump(overlay))
        result = _snakemake("--cores", "1", "--configfiles", "params.yaml", str(path), cwd=project, check=False)
        assert result.returncode != 0
        assert key in result.stdout + result.stderr
        assert "Building DAG of jobs" not in result.stdout + result.stderr


def test_dvc_push_then_fresh_clone_pull_leaves_nothing_to_do(project: Path, tmp_path: Path):
    remote = tmp_path / "remote"
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    _run(["git", "init", "-q"], project)
    _run([*git, "add", "-A"], project)
    _run([*git, "commit", "-qm", "tiny project"], project)
    dvc = [sys.executable, "-m", "dvc"]
    _run([*dvc, "remote", "add", "--local", "-d", "-f", "test", str(remote)], project)
    _run([*dvc, "repro"], project)
    _run([*dvc, "push"], project)
    _run([*git, "add", "dvc.lock"], project)
    _run([*git, "commit", "-qm", "results"], project)

    clone = tmp_path / "clone"
    _run(["git", "clone", "-q", str(project), str(clone)], tmp_path)
    _run([*dvc, "remote", "add", "--local", "-d", "-f", "test", str(remote)], clone)
    _run([*dvc, "pull"], clone)
    _snakemake("--cores", "1", "--touch", "--forceall", cwd=clone)
    status = _run([*dvc, "status"], clone)
    assert "up to date" in status.stdout, status.stdout
    dry = _snakemake("-n", "--cores", "1", cwd=clone)
    assert "Nothing to be done" in dry.stdout + dry.stderr
