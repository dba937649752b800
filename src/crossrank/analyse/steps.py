"""The steps of ``workflow/rules/analyse.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from crossrank.analyse.language_bias import language_bias as measure
from crossrank.core import contract
from crossrank.core.io import atomic_write
from crossrank.core.runs import read_run


def language_bias(
    run_paths: Sequence[str],
    run_names: Sequence[str],
    topics_path: str,
    docs_table_path: str,
    dataset: str,
    depth: int,
    out_csv: str,
) -> None:
    """Document-language bias of every run of a dataset (the paper's Figures 6 and 8), as one tidy table."""
    topics = contract.read_topics(topics_path)
    doc_langs = contract.read_docs_table(docs_table_path)
    frames = [
        measure(dataset, name, read_run(path), topics, doc_langs, depth, source=path)
        for path, name in zip(run_paths, run_names, strict=True)
    ]
    with atomic_write(out_csv) as handle:
        pd.concat(frames, ignore_index=True).to_csv(handle, index=False, lineterminator="\n")
