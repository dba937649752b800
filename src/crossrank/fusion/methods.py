"""The fusion methods by name, and a fused run cut to its depth in trec_eval order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crossrank.core.runs import Ranking, ranked
from crossrank.fusion.combsum import combsum_min_max
from crossrank.fusion.rrf import rrf

METHODS = ("rrf", "combsum")


def method_settings(method: str, rrf_k: int) -> dict[str, Any]:
    """What determines one method's fused run: ``{"method": "rrf", "k": 60}`` or ``{"method": "combsum", "normalization": "min-max"}``."""
    if method == "rrf":
        return {"method": "rrf", "k": int(rrf_k)}
    if method == "combsum":
        return {"method": "combsum", "normalization": "min-max"}
    raise ValueError(f"unknown fusion method {method!r}; the methods are {', '.join(METHODS)}")


def fuse_runs(runs: Sequence[Mapping[str, Mapping[str, float]]], settings: Mapping[str, Any], top_k: int) -> dict[str, Ranking]:
    """The fusion of ``runs`` (each ``{qid: {docid: score}}``) by ``settings`` (:func:`method_settings`), ``top_k`` per query.

    Fused scores are rounded like every run's (six decimals) before ranking; equal scores are
    ordered by docid, descending, as trec_eval orders them (:func:`crossrank.core.runs.ranked`).
    """
    method = settings.get("method")
    if method == "rrf":
        scores = rrf(runs, int(settings["k"]))
    elif method == "combsum":
        if settings.get("normalization", "min-max") != "min-max":
            raise ValueError(f"combsum normalises by min-max only, got {settings['normalization']!r}")
        scores = combsum_min_max(runs)
    else:
        raise ValueError(f"unknown fusion method {method!r}; the methods are {', '.join(METHODS)}")
    return {qid: ranked(query, top_k) for qid, query in scores.items() if query}
