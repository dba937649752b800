"""Tests of crossrank.fusion.steps: the fuse step reads member run files and writes the fused TREC run."""

from __future__ import annotations

from pathlib import Path

import factories
import pytest

from crossrank.core.runs import read_run
from crossrank.fusion import steps


def test_fuse_writes_a_trec_run_tagged_with_its_name(tmp_path: Path):
    bm25 = factories.write_run_file(tmp_path / "bm25.original.trec", {"q1": {"a": 12.0, "b": 7.0}}, "bm25.original")
    dense = factories.write_run_file(tmp_path / "dense.m.original.trec", {"q1": {"b": 0.9, "c": 0.5}, "q2": {"c": 0.2}}, "dense.m.original")
    out = tmp_path / "fused.trec"
    name = "fusion.rrf.bm25+dense.m.original"
    steps.fuse([str(bm25), str(dense)], {"method": "rrf", "k": 60}, 2, name, str(out))
    lines = [line.split() for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        ["q1", "Q0", "b", "1", f"{1 / 62 + 1 / 61:.6f}", name],
        ["q1", "Q0", "a", "2", f"{1 / 61:.6f}", name],  # c (1/62) falls below top_k
        ["q2", "Q0", "c", "1", f"{1 / 61:.6f}", name],
    ]
    assert read_run(out) == {"q1": {"b": round(1 / 62 + 1 / 61, 6), "a": round(1 / 61, 6)}, "q2": {"c": round(1 / 61, 6)}}


def test_fuse_needs_two_members(tmp_path: Path):
    bm25 = factories.write_run_file(tmp_path / "bm25.original.trec", {"q1": {"a": 1.0}}, "bm25.original")
    with pytest.raises(ValueError, match="two or more member runs"):
        steps.fuse([str(bm25)], {"method": "rrf", "k": 60}, 10, "fusion.rrf.bm25+bm25.original", str(tmp_path / "out.trec"))
