from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml

from crossrank.dense.hnsw import HnswSettings
from crossrank.efficiency.corpus import SOURCE_SYNTHETIC
from crossrank.efficiency.study import COLUMNS, StudySettings

REQUIRED = [
    "size",
    "dim",
    "source",
    "method",
    "ef",
    "build_s",
    "index_mib",
    "qps_batched",
    "qps_batch1",
    "p50_ms",
    "p95_ms",
    "recall_at_k",
    "gflops",
    "peak_rss_gib",
    "threads",
]

# The keyword defaults of run_study before StudySettings replaced them.
OLD_DEFAULTS = {
    "k": 100,
    "ef_values": (50, 100, 200, 400, 800),
    "hnsw": HnswSettings(),
    "threads": 2,
    "n_queries": 1000,
    "latency_queries": 100,
    "seed": 0,
    "dim": 384,
    "query_batch": 1024,
    "doc_batch": 262144,
    "device": "cpu",
    "progress": True,
}


def test_run_study_rows_and_columns(study):
    assert list(study.columns) == COLUMNS and set(REQUIRED) <= set(study.columns)
    # per size: exact + ef 10, 20, 200 and the default ef_for(20) = 50; sizes ascending
    assert len(study) == 2 * 5
    assert list(study["size"].drop_duplicates()) == [600, 2000]
    exact = study[study["method"] == "exact"]
    hnsw = study[study["method"] == "hnsw"]
    assert exact["ef"].isna().all() and (exact["recall_at_k"] == 1.0).all()
    assert sorted(hnsw["ef"].unique()) == [10, 20, 50, 200]
    assert ((hnsw["recall_at_k"] >= 0) & (hnsw["recall_at_k"] <= 1)).all()
    assert (study[["qps_batched", "qps_batch1", "p50_ms", "p95_ms"]] > 0).all().all()
    assert (study["p95_ms"] >= study["p50_ms"]).all()
    assert (study["source"] == SOURCE_SYNTHETIC).all() and (study["dim"] == 32).all()
    for row in exact.itertuples():
        assert row.gflops == pytest.approx(2 * row.size * row.dim * row.qps_batched / 1e9)
        assert row.index_mib == pytest.approx(row.size * row.dim * 4 / 2**20)
    assert hnsw["gflops"].isna().all() and (hnsw["build_s"] > 0).all()
    assert (hnsw["index_mib"] > hnsw["size"] * hnsw["dim"] * 4 / 2**20).all()  # vectors plus graph


def test_run_study_ef_below_k_is_the_same_search_and_recall_grows_with_ef(study):
    hnsw = study[study["method"] == "hnsw"]
    for _, rows in hnsw.groupby("size"):
        below = rows[rows["ef"] <= 20]
        assert (below["ef_effective"] == 20).all()
        assert below["recall_at_k"].nunique() == 1 and below["qps_batched"].nunique() == 1  # measured once
        recalls = rows.sort_values("ef_effective").drop_duplicates("ef_effective")["recall_at_k"].to_numpy()
        assert np.all(np.diff(recalls) >= -0.02)
        assert recalls[-1] >= 0.98  # ef = 200 over <= 2000 documents is nearly exhaustive


def test_study_settings_defaults_are_the_old_keyword_defaults():
    settings = StudySettings(sizes=[3000, 1000])
    assert {name: getattr(settings, name) for name in OLD_DEFAULTS} == OLD_DEFAULTS
    assert {f.name for f in dataclasses.fields(StudySettings)} == {"sizes", *OLD_DEFAULTS}
    assert settings.sizes == (3000, 1000)  # stored as given (run_study sorts), as a tuple
    assert StudySettings(sizes=(3000, 1000)) == settings
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.k = 10  # type: ignore[misc]


@pytest.mark.parametrize("field", ["k", "n_queries", "latency_queries"])
def test_study_settings_need_a_positive_depth_and_query_counts(field: str):
    with pytest.raises(ValueError, match="k, n_queries and latency_queries must be >= 1"):
        StudySettings(sizes=[1000], **{field: 0})


def test_study_settings_from_the_shipped_params(project_root: Path):
    params = yaml.safe_load((project_root / "params.yaml").read_text(encoding="utf-8"))
    study, ann, retrieval = params["efficiency"], params["ann"], params["retrieval"]
    settings = StudySettings.from_params(study, ann, retrieval, threads=2, device="cpu")
    assert settings.sizes == tuple(study["sizes"]) and settings.ef_values == tuple(study["ef"])
    assert settings.k == retrieval["top_k"]
    assert settings.n_queries == study["queries"] and settings.latency_queries == study["latency_queries"]
    assert settings.seed == study["seed"]
    assert settings.query_batch == retrieval["query_batch"] and settings.doc_batch == retrieval["doc_batch"]
    assert settings.hnsw == HnswSettings.from_params(ann)
    assert (settings.hnsw.m, settings.hnsw.ef_construction, settings.hnsw.determinism) == (
        ann["m"],
        ann["ef_construction"],
        ann["determinism"],
    )
    assert (settings.threads, settings.device, settings.dim, settings.progress) == (2, "cpu", 384, True)


def test_study_settings_from_params_maps_each_key():
    study = {"enabled": True, "dataset": None, "encoder": None, "sizes": [500, 50], "ef": [7, 9], "queries": 31, "latency_queries": 11}
    study["seed"] = 5
    ann = {"enabled": True, "m": 12, "ef_construction": 60, "ef_search": 44, "determinism": False, "seed": 3}
    retrieval = {"top_k": 13, "query_batch": 17, "doc_batch": 19, "device": "auto"}
    settings = StudySettings.from_params(study, ann, retrieval, 3, "cuda:1")
    assert settings == StudySettings(
        sizes=(500, 50),
        k=13,
        ef_values=(7, 9),
        hnsw=HnswSettings(m=12, ef_construction=60, ef_search=44, determinism=False, seed=3),
        threads=3,
        n_queries=31,
        latency_queries=11,
        seed=5,
        query_batch=17,
        doc_batch=19,
        device="cuda:1",
    )
    with pytest.raises(ValueError, match="k, n_queries and latency_queries must be >= 1"):
        StudySettings.from_params({**study, "latency_queries": 0}, ann, retrieval, 3, "cpu")
