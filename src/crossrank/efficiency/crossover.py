"""Where HNSW overtakes exact search: the crossover corpus size of a study's frame, per mode.

Reads the frame :func:`crossrank.efficiency.study.run_study` returns (columns defined in
:mod:`crossrank.efficiency.study`); the crossover itself is defined in :func:`crossover`.
"""

from __future__ import annotations

import math

import pandas as pd

from crossrank.dense.hnsw import HnswSettings

MODES = {"batch1": "qps_batch1", "batched": "qps_batched"}


def default_ef(frame: pd.DataFrame, settings: HnswSettings | None = None) -> int:
    """The ef the study's default HNSW search used: ``settings.ef_for(k)`` with k from the frame."""
    ks = frame["k"].dropna().unique()
    if len(ks) != 1:
        raise ValueError(f"the frame must hold exactly one k, found {sorted(ks)}")
    return (settings or HnswSettings()).ef_for(int(ks[0]))


def crossover(frame: pd.DataFrame, ef: int | None = None, settings: HnswSettings | None = None) -> dict[str, float | bool | None]:
    """The corpus size from which HNSW answers more queries per second than exact search.

    For each mode -- ``"batch1"`` (``qps_batch1``) and ``"batched"`` (``qps_batched``) -- take
    the ratio r(N) = HNSW QPS / exact QPS at every measured size N that has both an exact row
    and an HNSW row at ``ef`` (default: :func:`default_ef`, i.e. ``settings.ef_for(k)``). HNSW
    *wins* at N when r(N) > 1. The crossover is where HNSW wins from then on, at every larger
    measured size (a noisy loss in between is not skipped over):

    - ``None`` if HNSW loses at the largest measured size (the crossover, if any, lies beyond);
    - the smallest size, with ``"<mode>_wins_at_smallest": True``, if HNSW wins at every size
      (the crossover lies at or below it);
    - otherwise the N* where the straight line through (log N, log r) at the last losing size
      and the next (winning) size crosses log r = 0 (log-log interpolation), between those two
      sizes. ``"<mode>_first_win"`` holds that first size of the winning streak.

    Also returns ``"ef"`` (the ef used).
    """
    ef = default_ef(frame, settings) if ef is None else ef
    exact = frame[frame["method"] == "exact"].set_index("size")
    hnsw = frame[(frame["method"] == "hnsw") & (frame["ef"] == ef)].set_index("size")
    sizes = sorted(set(exact.index) & set(hnsw.index))
    result: dict[str, float | bool | None] = {"ef": float(ef)}
    for mode, column in MODES.items():
        ratios = [float(hnsw.loc[n, column]) / float(exact.loc[n, column]) for n in sizes]
        losses = [i for i, r in enumerate(ratios) if r <= 1.0]
        first = 0 if not losses else losses[-1] + 1  # start of the winning streak that reaches the largest size
        result[f"{mode}_wins_at_smallest"] = bool(sizes) and not losses
        result[f"{mode}_first_win"] = float(sizes[first]) if first < len(sizes) else None
        if first >= len(sizes):
            result[mode] = None
        elif first == 0:
            result[mode] = float(sizes[0])
        else:
            x0, x1 = math.log(sizes[first - 1]), math.log(sizes[first])
            y0, y1 = math.log(ratios[first - 1]), math.log(ratios[first])
            result[mode] = float(math.exp(x0 + (0.0 - y0) * (x1 - x0) / (y1 - y0)))
    return result
