"""Tests of crossrank.analyse.steps: the language bias of a dataset's runs, read from files, as one tidy table."""

from __future__ import annotations

from pathlib import Path

import factories
import pandas as pd
import pytest

from crossrank.analyse import steps
from crossrank.analyse.language_bias import BIAS_COLUMNS, language_bias
from crossrank.core.contract import MACRO
from crossrank.core.errors import InputError

POOL = factories.six_document_pool()
# A second run: q2 (en->en) retrieves e2 then g1, so half its top 2 is English.
BM25_RUN = {"q2": {"e2": 1.0, "g1": 0.5}}


def _contract(tmp_path: Path) -> dict[str, Path]:
    return factories.write_contract(tmp_path, docs_table=POOL.doc_langs, topics=POOL.topics)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def test_two_runs_make_one_table_with_the_rows_of_both(tmp_path):
    files = _contract(tmp_path)
    runs = [
        factories.write_run_file(tmp_path / "runs" / "one.trec", POOL.run, tag="x"),
        factories.write_run_file(tmp_path / "runs" / "two.trec", BM25_RUN, tag="x"),
    ]
    out = tmp_path / "analysis" / "bias.csv"
    steps.language_bias(
        [str(p) for p in runs], ["dense.m.original", "bm25.original"], str(files["topics"]), str(files["docs"]), "tiny", 2, str(out)
    )
    frame = _read(out)
    assert tuple(frame.columns) == BIAS_COLUMNS
    assert list(dict.fromkeys(frame["run"])) == ["dense.m.original", "bm25.original"]  # the run names given, not the file names
    assert set(frame["dataset"]) == {"tiny"}
    macro = frame[(frame["measure"] == "same_language") & (frame["query_lang"] == MACRO)].set_index("run")["value"].to_dict()
    assert macro == pytest.approx({"dense.m.original": 0.625, "bm25.original": 0.5})
    for name, run in [("dense.m.original", POOL.run), ("bm25.original", BM25_RUN)]:
        expected = language_bias("tiny", name, run, POOL.topics, POOL.doc_langs, depth=2)
        pd.testing.assert_frame_equal(frame[frame["run"] == name].reset_index(drop=True), expected, check_dtype=False)


def test_the_depth_limits_the_documents_counted(tmp_path):
    files = _contract(tmp_path)
    run = factories.write_run_file(tmp_path / "run.trec", POOL.run, tag="x")
    out = tmp_path / "bias.csv"
    steps.language_bias([str(run)], ["dense.m.original"], str(files["topics"]), str(files["docs"]), "tiny", 1, str(out))
    frame = _read(out)
    same = frame[frame["measure"] == "same_language"].set_index("query_lang")["value"].to_dict()
    # Top 1: q1 (en) e1, q2 (en) e2, q3 (de) g1: every query's first document is in its own language.
    assert same == {MACRO: 1.0, "de": 1.0, "en": 1.0}


def test_a_run_naming_an_unknown_document_is_an_error_naming_the_run_file(tmp_path):
    files = _contract(tmp_path)
    good = factories.write_run_file(tmp_path / "runs" / "good.trec", POOL.run, tag="x")
    bad = factories.write_run_file(tmp_path / "runs" / "bad.trec", {"q1": {"e1": 2.0, "zz9": 1.0}}, tag="x")
    out = tmp_path / "bias.csv"
    with pytest.raises(InputError, match=r"^\S*runs/bad\.trec: query 'q1' retrieved document 'zz9', not in the document pool"):
        steps.language_bias(
            [str(good), str(bad)], ["dense.m.original", "bm25.original"], str(files["topics"]), str(files["docs"]), "tiny", 2, str(out)
        )
    assert not out.exists()


def test_every_run_file_needs_a_run_name(tmp_path):
    files = _contract(tmp_path)
    run = factories.write_run_file(tmp_path / "run.trec", POOL.run, tag="x")
    with pytest.raises(ValueError, match="shorter"):
        steps.language_bias(
            [str(run), str(run)], ["dense.m.original"], str(files["topics"]), str(files["docs"]), "tiny", 2, str(tmp_path / "b.csv")
        )
