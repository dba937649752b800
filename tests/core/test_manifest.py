"""Manifests: what a job wrote is what its readers get, or one error naming the file and the fix."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from crossrank.core.errors import InputError
from crossrank.core.manifest import check_inputs, file_facts, write_manifest


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A documents file and a qrels file recorded in a manifest by ``prepare_toy``."""
    documents = tmp_path / "documents.tsv"
    documents.write_text("docid\tlang\ttext\n" + "".join(f"d{i}\ten\ttext number {i}\n" for i in range(10)))
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("q1 0 d1 1\nq2 0 d2 1\n")
    manifest = tmp_path / "manifest.json"
    write_manifest(manifest, {"documents": documents, "qrels": qrels}, "prepare_toy")
    return documents, qrels, manifest


def test_file_facts_count_lines_bytes_and_hash(tmp_path: Path):
    path = tmp_path / "f.tsv"
    path.write_bytes(b"a\tb\nc\td\n")
    assert file_facts(path) == {"rows": 2, "bytes": 8, "sha256": hashlib.sha256(b"a\tb\nc\td\n").hexdigest()}


def test_the_manifest_records_every_file_with_its_writer(written: tuple[Path, Path, Path]):
    documents, _qrels, manifest = written
    record = json.loads(manifest.read_text())
    assert record["writer"] == "prepare_toy"
    assert record["files"]["documents"] == {"path": str(documents), **file_facts(documents)}
    assert record["files"]["documents"]["rows"] == 11


def test_untouched_inputs_pass_and_unlisted_ones_are_left_to_their_readers(written: tuple[Path, Path, Path], tmp_path: Path):
    documents, qrels, manifest = written
    other = tmp_path / "run.trec"
    other.write_text("anything\n")
    assert check_inputs([str(documents), str(qrels), str(other), str(manifest)], [str(manifest)]) == 2
    assert check_inputs([documents], str(manifest)) == 1  # one manifest, as Snakemake hands a single input


def test_a_file_cut_at_a_line_boundary_names_both_counts_and_the_job_to_rerun(written: tuple[Path, Path, Path]):
    documents, _qrels, manifest = written
    lines = documents.read_text().splitlines(keepends=True)
    documents.write_text("".join(lines[:5]))
    with pytest.raises(InputError) as error:
        check_inputs([documents], [manifest])
    message = str(error.value)
    assert message.startswith(f"{documents}: it has 5 lines")
    assert "prepare_toy wrote 11 lines" in message and str(manifest) in message
    assert "snakemake --cores all --forcerun prepare_toy" in message


def test_a_file_cut_mid_line_is_refused(written: tuple[Path, Path, Path]):
    documents, _qrels, manifest = written
    documents.write_bytes(documents.read_bytes()[:-7])
    with pytest.raises(InputError, match="cut short or changed"):
        check_inputs([documents], [manifest])


def test_a_changed_byte_of_the_same_size_is_refused_by_its_hash(written: tuple[Path, Path, Path]):
    _documents, qrels, manifest = written
    qrels.write_text("q1 0 d1 1\nq2 0 d3 1\n")  # same length, another document judged
    with pytest.raises(InputError, match=r"qrels.tsv: its content differs from what prepare_toy wrote \(SHA-256"):
        check_inputs([qrels], [manifest])


def test_a_listed_file_that_is_gone_is_named(written: tuple[Path, Path, Path]):
    _documents, qrels, manifest = written
    qrels.unlink()
    with pytest.raises(InputError, match="the file is missing, though"):
        check_inputs([qrels], [manifest])


def test_paths_are_compared_normalised(written: tuple[Path, Path, Path]):
    documents, _qrels, manifest = written
    documents.write_text("docid\tlang\ttext\n")
    with pytest.raises(InputError):
        check_inputs([f"{documents.parent}/./{documents.name}"], [manifest])


@pytest.mark.parametrize("content", ["not json", json.dumps({"files": {}}), json.dumps([1, 2])])
def test_a_damaged_manifest_is_one_clear_error(tmp_path: Path, content: str):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(content)
    with pytest.raises(InputError, match=r"manifest.json.*Fix: delete it and run the pipeline again"):
        check_inputs([tmp_path / "x.tsv"], [manifest])
