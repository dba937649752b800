from __future__ import annotations

import csv

import numpy as np

from crossrank.efficiency import steps


def test_the_efficiency_step_runs_the_study_from_params(tmp_path, monkeypatch):
    monkeypatch.setattr(steps, "matmul_peak_gflops", lambda threads: 100.0)  # the real probe costs seconds
    rng = np.random.default_rng(0)
    docs = rng.standard_normal((300, 16)).astype(np.float32)
    np.save(tmp_path / "docs.npy", docs / np.linalg.norm(docs, axis=1, keepdims=True))
    np.save(tmp_path / "queries.npy", rng.standard_normal((40, 16)).astype(np.float32))
    study = {"enabled": True, "sizes": [1000, 200], "ef": [10, 40], "queries": 30, "latency_queries": 4, "seed": 0}
    ann = {"m": 8, "ef_construction": 40, "ef_search": None, "determinism": True, "seed": 100}
    retrieval = {"top_k": 10, "query_batch": 16, "doc_batch": 128, "device": "cpu"}
    out = {"csv": str(tmp_path / "e.csv"), "markdown": str(tmp_path / "e.md"), "figure": str(tmp_path / "e.png")}
    steps.efficiency(str(tmp_path / "docs.npy"), str(tmp_path / "queries.npy"), study, ann, retrieval, out, threads=1)
    with open(out["csv"], newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {(int(r["size"]), r["source"]) for r in rows} == {(200, "real"), (1000, "synthetic-clustered")}  # 300 real documents
    assert {int(r["k"]) for r in rows} == {10} and {int(r["queries"]) for r in rows} == {30}
    assert {int(r["ef"]) for r in rows if r["method"] == "hnsw"} == {10, 40, 50}  # the sweep plus the default max(50, 2k)
    assert {int(r["ef_effective"]) for r in rows if r["method"] == "hnsw"} == {10, 40, 50}  # k=10: no ef below k
    assert {int(r["latency_queries"]) for r in rows} == {4} and {int(r["threads"]) for r in rows} == {1}
    report = (tmp_path / "e.md").read_text()
    assert "float32 matmul peak 100 GFLOP/s" in report and "default ef = 50" in report
    assert (tmp_path / "e.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
