from __future__ import annotations

import pandas as pd

from crossrank.dense.hnsw import HnswSettings
from crossrank.efficiency.crossover import crossover
from crossrank.efficiency.report import PAPER_TABLE7, write_study
from crossrank.efficiency.study import COLUMNS


def test_write_study_writes_csv_and_report_with_the_papers_table(study, tmp_path):
    result = crossover(study, settings=HnswSettings())
    assert result["ef"] == 50
    write_study(study, tmp_path / "s.csv", tmp_path / "s.md", result, "test machine")
    back = pd.read_csv(tmp_path / "s.csv")
    assert len(back) == len(study) and list(back.columns) == COLUMNS
    text = (tmp_path / "s.md").read_text()
    assert "test machine" in text and "Table 7" in text
    for value in ("0.388", "0.619", "0.451", "0.552", "0.362", "0.652", "31.9", "47.1", "60.1"):
        assert value in text
    assert "not a duration" in text and "synthetic clustered" in text and "every size (600, 2,000)" in text
    assert "HNSW/exact b1" in text and "## Crossover" in text and "ef=50" in text
    assert list(PAPER_TABLE7["method"]) == ["DNN", "ANN"]
