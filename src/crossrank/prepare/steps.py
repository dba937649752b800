"""The steps of ``workflow/rules/prepare.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

from crossrank.core.io import write_tsv
from crossrank.prepare.cldr import build_benchmark
from crossrank.prepare.download import export_release
from crossrank.prepare.prepared import PreparedDataset, write_prepared
from crossrank.prepare.registry import dataset, dataset_settings, protocol, release_files, release_root
from crossrank.prepare.truncation import truncate_prepared

log = logging.getLogger("crossrank")
Paths = Mapping[str, str]


def prepare_cldr(settings: Mapping[str, Any], out: Paths, truncation: Mapping[str, Any] | None = None) -> None:
    """Generate the ``cldr`` benchmark and write the contract, texts, oracle and training files.

    ``truncation`` is ``params.yaml``'s block of that name (None: documents kept whole), as for every dataset.
    """
    bench = build_benchmark(
        languages=settings["languages"],
        entity_types=settings["entity_types"],
        test_fraction=settings["test_fraction"],
        seed=settings["seed"],
        max_entities=settings["max_entities"],
    )
    log.info("cldr: %d documents, %d topics", len(bench.documents), len(bench.topics))
    prepared = PreparedDataset(
        bench.documents,
        bench.topics,
        bench.qrels,
        bench.statistics,
        oracle_english=bench.oracle_english,
        query_documents=bench.query_documents,
        phrase_pairs=bench.phrase_pairs,
    )
    write_prepared(truncate_prepared(prepared, truncation), out, "cldr", "prepare_cldr")


def prepare_clirmatrix(params: Mapping[str, Any], out: Paths, truncation: Mapping[str, Any] | None = None) -> None:
    """Prepare CLIRMatrix from its release by the paper's protocol (56 ordered MULTI-8 pairs) and write it."""
    _prepare_release("clirmatrix", params, out, truncation)


def prepare_mmarco(params: Mapping[str, Any], out: Paths, truncation: Mapping[str, Any] | None = None) -> None:
    """Prepare mMARCO from its release by the paper's protocol (every query in every language) and write it."""
    _prepare_release("mmarco", params, out, truncation)


def prepare_largescale(params: Mapping[str, Any], out: Paths, truncation: Mapping[str, Any] | None = None) -> None:
    """Prepare Large-Scale CLIR from its release by the paper's protocol (English queries per language) and write it."""
    _prepare_release("largescale", params, out, truncation)


def _prepare_release(name: str, params: Mapping[str, Any], out: Paths, truncation: Mapping[str, Any] | None) -> None:
    settings = dataset_settings(name, params)
    log.info("%s: reading the release in %s", name, settings.root)
    prepared = truncate_prepared(protocol(name).prepare(settings), truncation)
    write_prepared(prepared, out, f"{name} release in {settings.root}", f"prepare_{name}")


def download_release(name: str, params: Mapping[str, Any], out_manifest: str) -> None:
    """Export a dataset from ir_datasets into its release layout next to ``out_manifest``, which lists the files."""
    root = Path(out_manifest).parent
    rows = export_release(name, params, root)
    write_tsv(
        out_manifest,
        ((file, dataset_id, (root / file).stat().st_size) for file, dataset_id in rows),
        header=("file", "ir_datasets_id", "bytes"),
    )


def record_sources(settings: Mapping[str, Mapping[str, Any]], out_sources: str) -> None:
    """Write where each configured dataset's files came from: generated, a local release, or ir_datasets."""
    rows = []
    for name, params in settings.items():
        if not dataset(name).released:  # the embedded benchmark
            rows.append((name, "generated", f"Unicode CLDR via babel {version('babel')}", 0, 0))
            continue
        files = [Path(f) for f in release_files(name, params)]
        source = params.get("source", "local")
        location = release_root(name, params) + (f" (ir_datasets {version('ir-datasets')})" if source == "ir_datasets" else "")
        rows.append((name, source, location, len(files), sum(f.stat().st_size for f in files)))
    write_tsv(out_sources, rows, header=("dataset", "source", "location", "files", "bytes"))
