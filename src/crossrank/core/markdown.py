"""Markdown tables: the one renderer every report's tables go through."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd


def markdown(table: pd.DataFrame, cell: Callable[[object, str], str] | None = None) -> str:
    """``table`` as Markdown, numeric columns right-aligned; ``cell(value, column)`` formats a cell (default: one decimal)."""
    cell = cell or (lambda value, _column: one_decimal(value))
    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(table[c]) else "---" for c in table.columns) + "|"
    rows = [
        "| " + " | ".join(cell(v, str(c)) for c, v in zip(table.columns, row, strict=True)) + " |" for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def one_decimal(value: object) -> str:
    """A float to one decimal (empty when missing), anything else as text: the default cell of :func:`markdown`."""
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.1f}"
    return str(value)
