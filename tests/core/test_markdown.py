"""Tests of crossrank.core.markdown: the Markdown tables of every report."""

from __future__ import annotations

import math

import pandas as pd

from crossrank.core.markdown import markdown, one_decimal


def test_numeric_columns_are_right_aligned_and_text_columns_left():
    table = pd.DataFrame({"run": ["a"], "n": [3], "value": [0.5], "lang": ["de"]})
    lines = markdown(table).splitlines()
    assert lines[0] == "| run | n | value | lang |"
    assert lines[1] == "|---|---:|---:|---|"


def test_default_cells_show_floats_to_one_decimal_and_the_rest_as_text():
    table = pd.DataFrame({"system": ["bm25", "dense.m"], "queries": [10, 2], "recall %": [12.34, 60.0]})
    assert markdown(table) == "\n".join(
        [
            "| system | queries | recall % |",
            "|---|---:|---:|",
            "| bm25 | 10 | 12.3 |",
            "| dense.m | 2 | 60.0 |",
        ]
    )


def test_a_missing_value_is_an_empty_cell():
    table = pd.DataFrame({"run": ["a", "b"], "fr %": [float("nan"), 25.0]})
    assert markdown(table).splitlines()[2:] == ["| a |  |", "| b | 25.0 |"]


def test_one_decimal_formats_only_floats():
    assert [one_decimal(v) for v in (1.24, 2.96, math.nan, 7, "x", None)] == ["1.2", "3.0", "", "7", "x", "None"]


def test_a_custom_cell_formatter_gets_each_value_with_its_column():
    table = pd.DataFrame({"run": ["a"], "share": [0.125]})
    seen = []

    def cell(value: object, column: str) -> str:
        seen.append((value, column))
        return f"{value:.1%}" if column == "share" else str(value).upper()

    assert markdown(table, cell).splitlines()[2] == "| A | 12.5% |"
    assert seen == [("a", "run"), (0.125, "share")]


def test_an_empty_table_is_its_header_and_rule():
    assert markdown(pd.DataFrame({"run": pd.Series([], dtype=str), "value": pd.Series([], dtype=float)})) == "| run | value |\n|---|---:|"
