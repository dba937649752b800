"""Saving figures: every PNG of the pipeline is written the same way, atomically and byte-stable."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from crossrank.core.io import atomic_path


def save_figure(fig: plt.Figure, path: str | os.PathLike[str]) -> None:
    """Write ``fig`` as a PNG atomically, without a software stamp (so the bytes depend only on the data)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=150, bbox_inches="tight", format="png", metadata={"Software": None})
    plt.close(fig)
