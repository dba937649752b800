"""Saving figures: every figure of the pipeline in one style, written as PNG and PDF, atomically and byte-stable.

Importing this module sets the shared style (:data:`PAPER_STYLE`: font sizes readable at a
paper's column width, one colour cycle, light grids), so every figure module that saves through
:func:`save_figure` draws alike.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from crossrank.core import layout
from crossrank.core.io import atomic_path

PAPER_STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=plt.get_cmap("tab10").colors),
    "savefig.dpi": 150,
    "pdf.fonttype": 42,  # TrueType in the PDF: text stays text (searchable, editable)
}
matplotlib.rcParams.update(PAPER_STYLE)
# A two-column paper's text width in inches: the paper's own figures (3, 4, 5, 7) are drawn no wider, so that
# their 8-10 pt text stays 8-10 pt when printed.
PAPER_WIDTH = 7.0


def save_figure(fig: plt.Figure, path: str | os.PathLike[str]) -> None:
    """Write ``fig`` as a PNG at ``path`` and a PDF beside it, atomically, without a software or date stamp
    (so the bytes depend only on the data)."""
    with atomic_path(path) as png, atomic_path(layout.pdf(str(path))) as pdf:  # both drawn before either replaces an old file
        fig.savefig(png, dpi=150, bbox_inches="tight", format="png", metadata={"Software": None})
        fig.savefig(pdf, bbox_inches="tight", format="pdf", metadata={"Creator": None, "Producer": None, "CreationDate": None})
    plt.close(fig)
