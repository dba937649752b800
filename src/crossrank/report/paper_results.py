"""The paper's published numbers: one data file (``workflow/data/paper_results.csv``), read and checked here.

Each row is one printed cell of the paper, named in the project's vocabulary so the report can
put this run's value beside it: ``ref`` (``Table 3``), ``dataset`` (``clirmatrix``, ``mmarco``,
``largescale``), ``system`` (a run's retriever, e.g. ``dense.nomic+qd``), ``condition``, ``pair``
(``average`` or ``<qlang>-<dlang>``), ``metric``, ``feature`` (Table 8's lang2vec feature set,
else empty), ``value`` as printed, its ``unit`` and a ``note``. The numbers are never typed into
code: a report that shows them reads them from this file.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pandas as pd

from crossrank.core.contract import CONDITIONS

COLUMNS = ["ref", "dataset", "system", "condition", "pair", "metric", "feature", "value", "unit", "note"]
PAPER_DATASETS = ("clirmatrix", "mmarco", "largescale")
ACROSS = "all"  # dataset and system of a cell averaged across the paper's datasets and models (Table 8's last row)
AVERAGE = "average"
_REF = re.compile(r"(Table|Figure) [0-9]+")
_PAIR = re.compile(r"[a-z]{2,}-[a-z]{2,}")


class PaperResultsError(ValueError):
    """A malformed row of the paper-results file (the message names the file, line and fix)."""


def read_paper_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Every published number of ``path``, checked row by row; ``value`` as a float, the rest as text."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != COLUMNS:
            raise PaperResultsError(f"{path}, line 1: the header must be {','.join(COLUMNS)}; got {header}")
        rows = []
        for line, fields in enumerate(reader, start=2):
            if not fields:
                continue
            rows.append(_checked(path, line, fields))
    if not rows:
        raise PaperResultsError(f"{path}: no published number below the header; add the paper's cells (one per row)")
    frame = pd.DataFrame(rows, columns=[*COLUMNS, "line"])
    keys = ["ref", "dataset", "system", "condition", "pair", "metric", "feature"]
    repeated = frame[frame.duplicated(keys, keep=False)]
    if not repeated.empty:
        lines = ", ".join(str(n) for n in repeated["line"])
        raise PaperResultsError(f"{path}, lines {lines}: the same cell ({', '.join(keys)}) is given twice; keep one")
    return frame


def _checked(path: Path, line: int, fields: list[str]) -> list[object]:
    where = f"{path}, line {line}"
    if len(fields) != len(COLUMNS):
        raise PaperResultsError(f"{where}: {len(fields)} fields, expected {len(COLUMNS)} ({','.join(COLUMNS)}); quote fields with commas")
    row = dict(zip(COLUMNS, (field.strip() for field in fields), strict=True))
    problems = []
    if not _REF.fullmatch(row["ref"]):
        problems.append(f"ref {row['ref']!r} is not 'Table N' or 'Figure N'")
    if row["dataset"] not in (*PAPER_DATASETS, ACROSS):
        problems.append(f"dataset {row['dataset']!r} is not one of {', '.join(PAPER_DATASETS)} or {ACROSS!r}")
    if row["condition"] not in CONDITIONS:
        problems.append(f"condition {row['condition']!r} is not one of {', '.join(CONDITIONS)}")
    if row["pair"] != AVERAGE and not _PAIR.fullmatch(row["pair"]):
        problems.append(f"pair {row['pair']!r} is neither {AVERAGE!r} nor <qlang>-<dlang>")
    if not row["system"] or not row["metric"]:
        problems.append("system and metric must not be empty")
    try:
        value = float(row["value"])
    except ValueError:
        problems.append(f"value {row['value']!r} is not a number")
        value = float("nan")
    if problems:
        raise PaperResultsError(f"{where}: {'; '.join(problems)}")
    return [*(row[c] for c in COLUMNS[:7]), value, row["unit"], row["note"], line]


def paper_rows(frame: pd.DataFrame, ref: str) -> pd.DataFrame:
    """The published cells of one table or figure (``Table 3``), in file order."""
    return frame[frame["ref"] == ref]


def printed(value: float) -> str:
    """A published number as the paper prints it (one decimal for percentages, up to three otherwise)."""
    text = f"{value:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text
