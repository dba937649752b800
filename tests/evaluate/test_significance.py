"""Tests of crossrank.evaluate.significance against hand computations on small data."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from crossrank.evaluate.significance import holm, macro_interval, paired_test


def test_identical_runs_are_not_significant():
    values = [0.0, 1.0, 0.5, 0.25, 1.0]
    found = paired_test(values, values)
    assert (found.n_queries, found.mean_difference, found.t_p_value, found.randomization_p_value) == (5, 0.0, 1.0, 1.0)


def test_a_known_difference_is_significant_and_both_tests_match_their_hand_computation():
    rng = np.random.default_rng(3)
    b = rng.uniform(0, 0.6, size=30)
    a = b + 0.3 + rng.normal(0, 0.05, size=30)
    found = paired_test(a, b)
    d = a - b
    t = d.mean() / (d.std(ddof=1) / math.sqrt(len(d)))
    assert found.t_p_value == pytest.approx(2 * stats.t.sf(abs(t), df=len(d) - 1))
    assert found.t_p_value < 1e-10 and found.randomization_p_value < 0.001
    assert found.mean_difference == pytest.approx(d.mean())


def test_the_randomization_test_is_exact_on_few_queries():
    a, b = [0.9, 0.8, 0.4, 0.7, 0.2], [0.5, 0.6, 0.5, 0.1, 0.2]
    d = np.subtract(a, b)
    observed = abs(d.mean())
    flips = [abs(np.mean(d * np.array(signs))) for signs in itertools.product((1, -1), repeat=len(d))]
    expected = sum(value >= observed - 1e-12 for value in flips) / len(flips)  # every one of the 2^5 sign flips
    assert paired_test(a, b).randomization_p_value == pytest.approx(expected)


def test_holm_matches_the_step_down_by_hand_and_keeps_nans():
    p = [0.01, 0.04, 0.03, 0.2, math.nan]
    # sorted 0.01, 0.03, 0.04, 0.2 -> x4, x3, x2, x1 = 0.04, 0.09, 0.08 -> 0.09 (monotone), 0.2
    adjusted = holm(p)
    assert adjusted[:4] == pytest.approx([0.04, 0.09, 0.09, 0.2]) and math.isnan(adjusted[4])


def test_the_bootstrap_interval_covers_the_macro_average_and_shrinks_with_more_queries():
    rng = np.random.default_rng(0)
    few = {pair: rng.binomial(1, p, size=10).astype(float) for pair, p in (("en-de", 0.3), ("de-en", 0.6), ("ja-en", 0.1))}
    many = {pair: rng.binomial(1, p, size=400).astype(float) for pair, p in (("en-de", 0.3), ("de-en", 0.6), ("ja-en", 0.1))}
    estimate, low, high = macro_interval(few)
    assert estimate == pytest.approx(np.mean([values.mean() for values in few.values()]))  # the paper's macro average
    assert low <= estimate <= high
    wide = high - low
    estimate, low, high = macro_interval(many)
    assert low <= estimate <= high and (high - low) < wide / 3
    assert macro_interval(few) == macro_interval(few), "seeded"


def test_the_bootstrap_handles_single_query_pairs_and_constant_values():
    assert macro_interval({"en-de": [1.0], "de-en": [1.0, 1.0]}) == (1.0, 1.0, 1.0)
    estimate, low, high = macro_interval({"en-de": [1.0], "de-en": [0.0, 1.0, 1.0, 0.0]})
    assert estimate == pytest.approx(0.75) and 0.5 <= low <= estimate <= high <= 1.0  # en-de's one query never moves
    with pytest.raises(ValueError, match="no language pair"):
        macro_interval({"en-de": []})
