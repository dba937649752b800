"""The DAG with `cldr.translation: nllb` on a tiny M2M100: sharded translation feeding BM25 and dense runs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from scratch_project import copy_project
from scratch_project import snakemake as _snakemake

from crossrank.core import contract, layout
from crossrank.core.io import read_tsv
from crossrank.translate.backends import RECORD_COLUMNS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, tiny_nllb: Path, tiny_bert: Path, project_root: Path) -> Path:
    """A copy of the project translating cldr with the tiny NLLB in two shards, after one full run."""
    root = copy_project(project_root, tmp_path_factory.mktemp("pipeline") / "project")
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["cldr"].update(max_entities=80, translation="nllb")
    params["translation"]["nllb"].update(model=str(tiny_nllb), num_beams=2, max_input_tokens=64, max_output_tokens=16, shards=2)
    params["encoders"] = {"tiny": {"model": str(tiny_bert), "max_length": 32, "batch_size": 16}}
    params["efficiency"]["enabled"] = False  # covered by test_cldr_dag.py
    params["finetune"]["encoders"] = []  # covered by test_cldr_dag.py
    params["rerank"]["models"] = []  # covered by test_cldr_dag.py
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    _snakemake("--cores", "2", cwd=root)
    return root


def test_translated_condition_feeds_bm25_and_dense_runs(project: Path):
    for run in ("bm25.translated", "dense.tiny.translated"):
        assert (project / f"results/cldr/runs/{run}.trec").stat().st_size > 0
    with open(project / "results/metrics.csv", newline="") as handle:
        runs = {row["run"] for row in csv.DictReader(handle)}
    assert {"bm25.translated", "dense.tiny.translated"} <= runs
    assert "Not measured: the study is disabled" in (project / layout.EFFICIENCY_MD).read_text()  # DVC's output exists


def test_every_document_records_its_backend_and_the_shards_are_gone(project: Path, tiny_nllb: Path):
    original = {d.docid: d for d in contract.read_documents(project / "data/original/cldr/documents.tsv")}
    record = {fields[0]: fields for _, fields in read_tsv(project / "results/cldr/translations.tsv", RECORD_COLUMNS, header=True)}
    assert record.keys() == original.keys()
    for docid, (_, lang, backend, pieces, model) in record.items():
        assert lang == original[docid].lang
        assert (backend, model) == (("copy", "-") if lang == "en" else ("nllb", str(tiny_nllb)))
        assert int(pieces) == (0 if lang == "en" else 1)
    translated = {d.docid: d for d in contract.read_documents(project / "data/translated/cldr/documents.tsv")}
    assert {d.lang for d in translated.values()} == {"en"}
    assert all(translated[i].text == d.text for i, d in original.items() if d.lang == "en")
    assert not (project / "data/translated/cldr/shards").exists() or not any((project / "data/translated/cldr/shards").iterdir())


def test_quality_table_scores_every_translated_language(project: Path):
    with open(project / "data/translated/cldr/quality.csv", newline="") as handle:
        rows = {row["source_lang"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"ar", "de", "es", "fr", "ja", "ru", "zh", "all"}
    assert all(0 <= float(row["chrf"]) <= 100 and 0 <= float(row["bleu"]) <= 100 for row in rows.values())


def test_translated_runs_log_the_translation_settings_to_mlflow(project: Path, tiny_nllb: Path):
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{project / 'results/mlflow/mlflow.db'}")
    runs = {r.info.run_name: r for r in client.search_runs([client.get_experiment_by_name("crossrank/cldr").experiment_id])}
    translated = runs["bm25.translated"].data.params
    assert translated["translation.nllb.model"] == str(tiny_nllb) and translated["translation.nllb.num_beams"] == "2"
    assert "translation.nllb.model" not in runs["bm25.original"].data.params


def test_retranslating_reuses_the_cache(project: Path):
    (project / "data/translated/cldr/documents.tsv").unlink()
    _snakemake("--cores", "2", "--forcerun", "translate_shard", "data/translated/cldr/documents.tsv", cwd=project)
    logs = [(project / f"logs/translate/cldr.shard{i}.log").read_text() for i in range(2)]
    assert all(", 0 to translate" in log for log in logs)
    assert "Nothing to be done" in _snakemake("-n", "--cores", "2", cwd=project).stdout
