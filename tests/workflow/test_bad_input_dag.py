"""Damaged files in a finished run, as a user meets them: one clear error naming the file and the fix, never wrong metrics.

A tiny pipeline (BM25, evaluated) runs once; each test damages one file
the way disks, copies and hands do, re-runs the README's command on the same targets, and
checks that it stops with the file and the fix, that the files it did not write are untouched,
and that following the fix (once; elsewhere, restoring the file) gives the undamaged run's metrics again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import yaml
from scratch_project import copy_project
from scratch_project import snakemake as _snakemake

from crossrank.core import layout
from crossrank.core.layout import fill

pytestmark = pytest.mark.slow

# BM25's run evaluated: the documents, topics, qrels and pool are read by these jobs as by every other.
TARGETS = [fill(layout.RUN_METRICS, dataset="cldr", run="bm25.original")]
DOCUMENTS = fill(layout.DOCUMENTS, dataset="cldr", condition="original")
CONTRACT = [fill(template, dataset="cldr") for template in (layout.DOCS_TABLE, layout.TOPICS, layout.QRELS)]
REPREPARE = "snakemake --cores all --forcerun prepare_cldr"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, tiny_bert: Path, project_root: Path) -> Path:
    """A copy of the project configured tiny (80 entities), after one run to BM25's metrics."""
    root = copy_project(project_root, tmp_path_factory.mktemp("bad_input") / "project")
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["cldr"]["max_entities"] = 80
    params["encoders"] = {"tiny": {"model": str(tiny_bert), "max_length": 32, "batch_size": 16}}
    # Only what the targets need, so that the message's fix (--forcerun prepare_cldr, which re-runs everything
    # downstream of it in the workflow) stays quick: one condition, no fine-tuning, re-ranking, fusion or efficiency.
    params["conditions"] = ["original"]
    params["finetune"].update(encoders=[], levels=[])
    params["rerank"]["models"] = []
    params["fusion"]["methods"] = []
    params["efficiency"]["enabled"] = False
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    _snakemake("--cores", "2", *TARGETS, cwd=root)
    return root


@pytest.fixture(scope="module")
def good_metrics(project: Path) -> dict[str, str]:
    """The undamaged run's metrics, which every fix must give back."""
    return {target: (project / target).read_text() for target in TARGETS}


def _digests(root: Path, paths: list[str]) -> dict[str, str]:
    return {path: hashlib.sha256((root / path).read_bytes()).hexdigest() for path in paths}


def _fails_naming(root: Path, path: str, *fragments: str) -> str:
    """Re-run the targets; they must fail, and the output must name ``path`` with each fragment."""
    result = _snakemake("--cores", "2", *TARGETS, cwd=root, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert f"{path}:" in output, output[-3000:]
    for fragment in fragments:
        assert fragment in output, (fragment, output[-3000:])
    return output


def _restore(root: Path, path: str, data: bytes, mtime_ns: int, good_metrics: dict[str, str]) -> None:
    """Put the undamaged bytes back (as from a backup, with their old time); the failed jobs' results are rebuilt and right."""
    (root / path).write_bytes(data)
    os.utime(root / path, ns=(mtime_ns, mtime_ns))
    _snakemake("--cores", "2", *TARGETS, cwd=root)
    assert {target: (root / target).read_text() for target in TARGETS} == good_metrics


def _fix_as_told(root: Path, good_metrics: dict[str, str]) -> None:
    """Follow the message's fix; the metrics must be computed again, and equal the undamaged run's."""
    for target in TARGETS:
        (root / target).write_text("stale")  # so the check below proves they were recomputed
    _snakemake("--cores", "2", "--forcerun", "prepare_cldr", *TARGETS, cwd=root)
    assert {target: (root / target).read_text() for target in TARGETS} == good_metrics


@pytest.mark.parametrize("cut", ["line_boundary", "mid_line"])
def test_a_truncated_documents_file_stops_indexing(project: Path, good_metrics: dict[str, str], cut: str):
    contract = _digests(project, CONTRACT)
    data, mtime_ns = (project / DOCUMENTS).read_bytes(), (project / DOCUMENTS).stat().st_mtime_ns
    lines = data.splitlines(keepends=True)
    damaged = b"".join(lines[: len(lines) // 2]) if cut == "line_boundary" else data[: len(data) // 2]
    (project / DOCUMENTS).write_bytes(damaged)
    _fails_naming(project, DOCUMENTS, "cut short or changed", REPREPARE)
    assert (project / DOCUMENTS).read_bytes() == damaged  # kept for the user to look at
    assert _digests(project, CONTRACT) == contract  # files the failed jobs did not write are untouched
    # No metrics from the damaged pool: the earlier run's stay as they were (the jobs behind them never started).
    assert {target: (project / target).read_text() for target in TARGETS} == good_metrics
    if cut == "line_boundary":
        _fix_as_told(project, good_metrics)
    else:
        _restore(project, DOCUMENTS, data, mtime_ns, good_metrics)


def test_qrels_cut_at_a_line_boundary_stop_the_evaluation(project: Path, good_metrics: dict[str, str]):
    qrels = fill(layout.QRELS, dataset="cldr")
    data, mtime_ns = (project / qrels).read_bytes(), (project / qrels).stat().st_mtime_ns
    lines = data.decode().splitlines(keepends=True)
    (project / qrels).write_text("".join(lines[: 2 * len(lines) // 3]))
    runs = _digests(project, [fill(layout.RUN, dataset="cldr", run="bm25.original")])
    _fails_naming(project, qrels, f"it has {2 * len(lines) // 3:,} lines", f"prepare_cldr wrote {len(lines):,} lines", REPREPARE)
    assert _digests(project, list(runs)) == runs
    _restore(project, qrels, data, mtime_ns, good_metrics)


def test_an_edited_topic_of_the_same_length_is_caught_by_its_hash(project: Path, good_metrics: dict[str, str]):
    topics = fill(layout.TOPICS, dataset="cldr")
    data, mtime_ns = (project / topics).read_bytes(), (project / topics).stat().st_mtime_ns
    text = data.decode()
    qid, query_lang, doc_lang, _query = text.splitlines()[0].split("\t")
    other = next(lang for lang in ("de", "fr") if lang not in (query_lang, doc_lang))  # same length: only the hash sees it
    (project / topics).write_text(text.replace("\t".join([qid, query_lang, doc_lang]), "\t".join([qid, query_lang, other]), 1))
    _fails_naming(project, topics, "its content differs from what prepare_cldr wrote", REPREPARE)
    _restore(project, topics, data, mtime_ns, good_metrics)


def test_every_prepared_and_translated_file_is_in_a_manifest(project: Path):
    import json

    manifest = json.loads((project / fill(layout.MANIFEST, dataset="cldr", condition="original")).read_text())
    listed = {entry["path"] for entry in manifest["files"].values()}
    assert {DOCUMENTS, *CONTRACT, fill(layout.QUERIES, dataset="cldr"), fill(layout.QUERY_DOCUMENTS, dataset="cldr")} <= listed
    assert manifest["writer"] == "prepare_cldr"
