"""Per-query score normalisation of a run, before score-based fusion."""

from __future__ import annotations

from collections.abc import Mapping


def min_max(scores: Mapping[str, float]) -> dict[str, float]:
    """One query's ``{docid: score}`` rescaled to [0, 1]: ``(s - min) / (max - min)`` over that query's retrieved list.

    The list's best document scores 1 and its worst 0. A list whose scores are all equal (one
    document, or a flat list) has no spread: each of its documents is its best and scores 1
    (ranx divides by a tiny epsilon instead and scores them 0). An empty list stays empty.
    """
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high == low:
        return dict.fromkeys(scores, 1.0)
    return {docid: (score - low) / (high - low) for docid, score in scores.items()}
