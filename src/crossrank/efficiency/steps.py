"""The steps of ``workflow/rules/efficiency.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from crossrank.core.devices import resolve_device
from crossrank.core.io import all_or_nothing, atomic_write
from crossrank.efficiency.crossover import crossover
from crossrank.efficiency.figure import efficiency_figure
from crossrank.efficiency.probes import machine_description, matmul_peak_gflops
from crossrank.efficiency.report import write_study
from crossrank.efficiency.study import StudySettings, run_study

Paths = Mapping[str, str]


def efficiency(
    doc_embeddings: str,
    query_embeddings: str,
    study: Mapping[str, Any],
    ann_params: Mapping[str, Any],
    retrieval: Mapping[str, Any],
    out: Paths,
    threads: int = 1,
) -> None:
    """Exact search vs HNSW by corpus size (``out``: csv, markdown, figure, optional summary csv), on one dataset's real embeddings
    where big enough."""
    settings = StudySettings.from_params(study, ann_params, retrieval, threads, resolve_device(retrieval.get("device", "cpu")))
    real_docs = np.load(doc_embeddings, mmap_mode="r")
    frame = run_study(settings, real_docs=real_docs, real_queries=np.load(query_embeddings, mmap_mode="r"))
    machine = machine_description(threads, matmul_peak_gflops(threads))
    with all_or_nothing(out.values()):
        write_study(frame, out["csv"], out["markdown"], crossover(frame, settings=settings.hnsw), machine, out.get("summary"))
        sources = "/".join(sorted(frame["source"].unique()))
        title = f"Exact search vs HNSW (M={settings.hnsw.m}, efC={settings.hnsw.ef_construction}), {sources} embeddings"
        efficiency_figure(frame, out["figure"], title)


def skip_efficiency(out_markdown: str) -> None:
    """The efficiency report of a configuration that does not run the study (so the stage's output exists)."""
    with atomic_write(out_markdown) as handle:
        handle.write(
            "# Exact dense search vs HNSW: efficiency by corpus size\n\n"
            "Not measured: the study is disabled (`efficiency.enabled: false`) or no encoder is enabled. "
            "Enable both to run it, or run `benchmarks/ann_efficiency.py`.\n"
        )
