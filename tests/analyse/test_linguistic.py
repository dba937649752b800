"""Tests of crossrank.analyse.linguistic and the Table 8 report: lang2vec similarity, masking, Spearman per run."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from crossrank.analyse.linguistic import FEATURE_SETS, correlations, lang2vec_code, masked_cosine, pair_similarities, similarity
from crossrank.core.errors import ConfigError
from crossrank.report.linguistic_report import correlation_markdown, correlation_table


def test_spanish_is_closer_to_french_than_to_japanese_by_place_syntax_and_family():
    for group in ("geographic", "syntax", "genealogical"):
        near, far = similarity("es", "fr", FEATURE_SETS[group]), similarity("es", "ja", FEATURE_SETS[group])
        assert near > far, group
    assert similarity("es", "es", "geo") == pytest.approx(1.0)


def test_missing_values_are_masked_before_the_cosine():
    assert masked_cosine([1, "--", 0], [1, 5, 0]) == pytest.approx(1.0)  # the 5 is unknown on the left
    assert masked_cosine([1, 0, "--"], [0, 1, 1]) == pytest.approx(0.0)
    assert math.isnan(masked_cosine(["--", 1], [1, "--"]))  # nothing known in both
    assert math.isnan(masked_cosine([0, 0], [1, 1]))


def test_codes_map_iso_639_1_varieties_and_overrides_and_name_the_fix_when_unmapped():
    assert lang2vec_code("ar") == "ara" and lang2vec_code("simple") == "eng" and lang2vec_code("zh") == "zho"
    assert lang2vec_code("ar", {"ar": "arb"}) == "arb"
    assert lang2vec_code("la") == "lat" and lang2vec_code("arz") == "arz"  # lang2vec's own ISO 639-1 table; ISO 639-3 as is
    with pytest.raises(ConfigError, match=r"language 'xx' has no lang2vec code\. Fix: add it under 'report\.linguistic\.codes'"):
        lang2vec_code("xx")


def _metrics(values: dict[tuple[str, str], float], run: str = "bm25.original") -> pd.DataFrame:
    rows = [("d", run, "bm25", "original", q, dl, "recall@100", v, 10) for (q, dl), v in values.items()]
    rows.append(("d", run, "bm25", "original", "all", "all", "recall@100", 0.5, 40))
    columns = ["dataset", "run", "system", "condition", "query_lang", "doc_lang", "metric", "value", "n_queries"]
    return pd.DataFrame(rows, columns=columns)


def test_spearman_per_run_and_feature_is_scipys_over_the_pairs_with_a_known_similarity():
    sims = {("a", "b"): 0.9, ("a", "c"): 0.4, ("b", "c"): 0.1, ("c", "a"): 0.6, ("b", "a"): math.nan}
    scores = {("a", "b"): 0.8, ("a", "c"): 0.5, ("b", "c"): 0.3, ("c", "a"): 0.2, ("b", "a"): 0.9}
    similarities = pd.DataFrame(
        [(q, d, "syntax", s) for (q, d), s in sims.items()], columns=["query_lang", "doc_lang", "feature", "similarity"]
    )
    found = correlations(_metrics(scores), similarities, "recall@100", ["bm25.original"])
    known = [pair for pair in sims if not math.isnan(sims[pair])]
    expected = stats.spearmanr([sims[p] for p in known], [scores[p] for p in known])
    row = found.iloc[0]
    assert (row["dataset"], row["run"], row["feature"], row["n_pairs"]) == ("d", "bm25.original", "syntax", 4)
    assert row["spearman"] == pytest.approx(expected.statistic) and row["p_value"] == pytest.approx(expected.pvalue)
    few = correlations(_metrics({("a", "b"): 0.8, ("a", "c"): 0.5}), similarities, "recall@100", ["bm25.original"])
    assert math.isnan(few.iloc[0]["spearman"]) and few.iloc[0]["n_pairs"] == 2


def test_table_8_shows_rho_in_percent_marks_significance_and_averages_the_rows():
    frame = pd.DataFrame(
        [("d", "bm25.original", "geographic", 0.805, 0.01, 56), ("d", "dense.x.original", "geographic", -0.095, 0.5, 56)],
        columns=["dataset", "run", "feature", "spearman", "p_value", "n_pairs"],
    )
    table = correlation_table(frame, ["geographic", "syntax"])
    assert table["geographic"].tolist() == [80.5, -9.5, 35.5] and table["run"].tolist()[-1] == "average"
    shown = correlation_markdown(frame, ["geographic", "syntax"])
    assert shown["geographic"].tolist() == ["80.5*", "-9.5", "35.5"] and shown["syntax"].tolist() == ["n/a"] * 3


def test_pair_similarities_cover_every_pair_and_group():
    found = pair_similarities([("es", "fr"), ("fr", "es")], {"geographic": "geo"})
    assert len(found) == 2 and found["similarity"].iloc[0] == pytest.approx(found["similarity"].iloc[1])  # cosine is symmetric
