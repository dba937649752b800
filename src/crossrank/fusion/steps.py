"""The steps of ``workflow/rules/fusion.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from crossrank.core.runs import read_run, write_run
from crossrank.fusion.methods import fuse_runs

log = logging.getLogger("crossrank")


def fuse(member_paths: Sequence[str], settings: Mapping[str, Any], top_k: int, run_name: str, out_run: str) -> None:
    """Fuse the member runs (two or more TREC files, in the run name's order) into the run ``run_name``, ``top_k`` per query."""
    if len(member_paths) < 2:
        raise ValueError(f"{run_name}: a fusion needs two or more member runs, got {list(member_paths)}")
    rankings = fuse_runs([read_run(path) for path in member_paths], settings, top_k)
    write_run(out_run, rankings, tag=run_name)
    log.info("%s: fused %d runs (%s) over %d queries", run_name, len(member_paths), settings["method"], len(rankings))
