"""Manifests of the files a job hands on: rows, bytes and SHA-256 of each, checked by every consumer.

A file damaged after it was written (cut short by a full disk or a copy, edited by hand,
half-restored from a backup) otherwise flows on silently: a truncated ``documents.tsv`` is
indexed as a smaller pool, qrels cut at a line boundary drop queries, and the metrics come out
wrong with exit status 0. The job that writes such files (``prepare_<dataset>``, the merge of a
translation) records them in a manifest, written last; every job that reads them checks each
input listed in a manifest before computing and stops with the file, what differs, and the fix.

Checking costs one sequential read of each listed input (SHA-256 at about 1-2 GB/s); the size
is compared first, so a truncated file fails without being read.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from crossrank.core.errors import InputError
from crossrank.core.io import file_blocks, read_json, write_json

log = logging.getLogger("crossrank")

MANIFEST_VERSION = 1


def file_facts(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The lines (newline count), bytes and SHA-256 of one file, read once."""
    digest = hashlib.sha256()
    lines = 0
    size = 0
    for block in file_blocks(path):
        digest.update(block)
        lines += block.count(b"\n")
        size += len(block)
    return {"rows": lines, "bytes": size, "sha256": digest.hexdigest()}


def write_manifest(manifest_path: str | os.PathLike[str], files: Mapping[str, str | os.PathLike[str]], writer: str) -> None:
    """Record ``files`` (role -> path) in ``manifest_path``; ``writer`` names the job that re-creates them (the fix)."""
    entries = {role: {"path": _normal(path), **file_facts(path)} for role, path in sorted(files.items())}
    write_json(manifest_path, {"version": MANIFEST_VERSION, "writer": writer, "files": entries})


def check_inputs(inputs: Iterable[str | os.PathLike[str]], manifests: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> int:
    """Check every one of ``inputs`` that a manifest lists against it; return how many were checked.

    ``manifests`` is one path or several (Snakemake hands a rule's single named input as a string).
    Inputs no manifest lists (indexes, runs, files of other stages) are left to their readers.
    Raises :class:`InputError` on the first file whose size, line count or SHA-256 differs.
    """
    if isinstance(manifests, str | os.PathLike):
        manifests = [manifests]
    listed: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for manifest in manifests:
        record = _read_manifest(manifest)
        for entry in record["files"].values():
            listed[entry["path"]] = (str(manifest), record["writer"], entry)
    checked = 0
    for path in dict.fromkeys(_normal(p) for p in inputs):
        if path in listed:
            _check_file(path, *listed[path])
            checked += 1
    if checked:
        log.info("checked %d input file(s) against their manifests", checked)
    return checked


def _check_file(path: str, manifest: str, writer: str, entry: Mapping[str, Any]) -> None:
    fix = (
        f"re-run the job that writes it: snakemake --cores all --forcerun {writer} (or make demo "
        f"SNAKEMAKE_ARGS='--forcerun {writer}'). Deleting the file is not enough: Snakemake does not rebuild a deleted "
        "intermediate file whose results exist. To change the data, change what that job reads, not its output."
    )
    if not Path(path).exists():
        raise InputError(path, f"the file is missing, though {manifest} lists it.", fix=fix)
    size = Path(path).stat().st_size
    if size != entry["bytes"]:
        rows = file_facts(path)["rows"]
        raise InputError(
            path,
            f"it has {rows:,} lines ({size:,} bytes), but {writer} wrote {entry['rows']:,} lines ({entry['bytes']:,} bytes), "
            f"as {manifest} records: it was cut short or changed since.",
            fix=fix,
        )
    facts = file_facts(path)
    if facts["sha256"] != entry["sha256"]:
        raise InputError(
            path,
            f"its content differs from what {writer} wrote (SHA-256 {facts['sha256'][:12]}..., {manifest} records "
            f"{entry['sha256'][:12]}...): it was changed since.",
            fix=fix,
        )


def _read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        record = read_json(path)
    except (OSError, ValueError) as error:
        raise InputError(path, f"the manifest cannot be read ({error}).", fix="delete it and run the pipeline again.") from None
    if not isinstance(record, dict) or record.get("version") != MANIFEST_VERSION or not isinstance(record.get("files"), dict):
        raise InputError(path, "this is not a manifest this version writes.", fix="delete it and run the pipeline again.")
    return record


def _normal(path: str | os.PathLike[str]) -> str:
    return os.path.normpath(os.fspath(path))
