"""Tests of crossrank.report.paper_results: the shipped data file reads cleanly; a malformed row names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossrank.core import layout
from crossrank.report.paper_results import COLUMNS, PaperResultsError, paper_rows, printed, read_paper_results

ROOT = Path(__file__).resolve().parents[2]
GOOD = "Table 3,clirmatrix,dense.me5,original,average,recall@100,,48.3,percent,paper row multilingual-E5\n"


def test_the_shipped_file_holds_every_table_the_report_compares():
    paper = read_paper_results(ROOT / layout.PAPER_RESULTS)
    assert {"Table 3", "Table 4", "Table 5", "Table 6", "Table 7", "Table 8"} <= set(paper["ref"])
    assert len(paper_rows(paper, "Table 4")) == 24  # 2 encoders x 3 datasets x 4 levels
    xlmr_qd = paper[(paper["ref"] == "Table 4") & (paper["system"] == "dense.xlmr+qd")].set_index("dataset")["value"]
    assert xlmr_qd.to_dict() == {"clirmatrix": 21.2, "largescale": 96.0, "mmarco": 77.1}  # the paper's prose quotes these


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "paper.csv"
    path.write_text(",".join(COLUMNS) + "\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("Table 3,clirmatrix,dense.me5,original,average,recall@100,,4x.3,percent,\n", "value '4x.3' is not a number"),
        ("Table 3,msmarco,dense.me5,original,average,recall@100,,48.3,percent,\n", "dataset 'msmarco'"),
        ("Tab 3,clirmatrix,dense.me5,original,average,recall@100,,48.3,percent,\n", "ref 'Tab 3'"),
        ("Table 3,clirmatrix,dense.me5,english,average,recall@100,,48.3,percent,\n", "condition 'english'"),
        ("Table 3,clirmatrix,dense.me5,original,average,recall@100,48.3,percent,\n", "9 fields"),
    ],
)
def test_a_malformed_row_names_the_file_and_line(tmp_path: Path, row: str, problem: str):
    path = _write(tmp_path, GOOD + row)
    with pytest.raises(PaperResultsError, match=rf"paper\.csv, line 3: .*{problem}"):
        read_paper_results(path)


def test_a_cell_given_twice_is_refused_with_both_lines(tmp_path: Path):
    with pytest.raises(PaperResultsError, match="lines 2, 3"):
        read_paper_results(_write(tmp_path, GOOD + GOOD))


def test_a_wrong_header_is_refused(tmp_path: Path):
    path = tmp_path / "paper.csv"
    path.write_text("ref,value\n", encoding="utf-8")
    with pytest.raises(PaperResultsError, match="line 1: the header must be"):
        read_paper_results(path)


def test_numbers_are_printed_as_the_paper_prints_them():
    assert [printed(v) for v in (77.5, 88.0, 0.388, -9.4, 100.0)] == ["77.5", "88.0", "0.388", "-9.4", "100.0"]
