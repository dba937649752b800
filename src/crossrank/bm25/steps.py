"""The steps of ``workflow/rules/bm25.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crossrank.bm25.analysis import Analyzer
from crossrank.bm25.index import Bm25Index, Bm25Settings, index_documents, search
from crossrank.core import contract
from crossrank.core.runs import write_run


def _bm25_settings(settings: Mapping[str, Any]) -> tuple[Bm25Settings, Analyzer]:
    analyzer = Analyzer(**settings["analyzer"])
    params = {k: settings[k] for k in ("backend", "variant", "k1", "b", "delta", "epsilon")}
    return Bm25Settings(**params), analyzer


def bm25_index(documents_path: str, settings: Mapping[str, Any], out_index: str) -> None:
    """Analyze and index one condition's documents."""
    bm25_settings, analyzer = _bm25_settings(settings)
    index = index_documents(contract.read_documents(documents_path), analyzer, bm25_settings)
    index.save(out_index)


def bm25_search(index_path: str, topics_path: str, settings: Mapping[str, Any], top_k: int, run_name: str, out_run: str) -> None:
    """Search every topic against a saved BM25 index and write the run."""
    _, analyzer = _bm25_settings(settings)
    index = Bm25Index.load(index_path)
    rankings = search(index, contract.read_topics(topics_path), analyzer, top_k)
    write_run(out_run, rankings, tag=run_name)
