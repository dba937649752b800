"""Linguistic similarity of language pairs and its correlation with retrieval: the paper's Table 8 (appendix F).

Each language is a URIEL vector from ``lang2vec`` per feature set; the similarity of a (query,
document) language pair is the cosine of their vectors over the features known in both (the
paper masks missing values before the cosine). A pair with no feature known in both has no
similarity (NaN) and is left out of that feature set's correlation, which says on how many
pairs it rests. Per (dataset, run): Spearman's rho between the pairs' similarity and their
retrieval score (``report.metric``, the paper's Recall@100), with its p-value (scipy).

The pipeline's languages are ISO 639-1 codes (and Large-Scale's ``simple``); lang2vec reads ISO
639-3. :data:`LANG2VEC_CODES` maps every language of the paper's datasets, macrolanguage codes
where lang2vec has more features for them than for an individual language (``ara`` over
``arb``, ``zho`` over ``cmn``); ``report.linguistic.codes`` adds or overrides codes.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import sys
import sysconfig
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from crossrank.core.contract import MACRO, base_language
from crossrank.core.errors import ConfigError

# The paper's feature groups (Table 8's columns) -> lang2vec feature sets without imputed
# values, so that "missing" stays missing (the *_knn sets fill every gap by nearest neighbours).
FEATURE_SETS: dict[str, str] = {
    "geographic": "geo",
    "syntax": "syntax_average",
    "phonology": "phonology_average",
    "inventory": "inventory_average",
    "genealogical": "fam",
}
# ISO 639-1 (and Large-Scale's "simple") -> the ISO 639-3 code lang2vec knows.
# fmt: off
LANG2VEC_CODES: dict[str, str] = {
    "ar": "ara", "ca": "cat", "cs": "ces", "de": "deu", "en": "eng", "es": "spa", "fi": "fin", "fr": "fra",
    "hi": "hin", "id": "ind", "it": "ita", "ja": "jpn", "ko": "kor", "nl": "nld", "nn": "nno", "no": "nor",
    "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "simple": "eng", "sv": "swe", "sw": "swa", "tl": "tgl",
    "tr": "tur", "uk": "ukr", "vi": "vie", "zh": "zho",
}
# fmt: on
MISSING = "--"
Features = Callable[[Sequence[str], str], Mapping[str, Sequence[float | str]]]


def lang2vec_code(lang: str, overrides: Mapping[str, str] | None = None) -> str:
    """The ISO 639-3 code lang2vec reads for a pipeline language; ConfigError naming the fix when unmapped.

    Looked up in ``overrides``, then :data:`LANG2VEC_CODES`, then lang2vec's own ISO 639-1 table
    (``letter_codes.json``, read without loading URIEL); a three-letter code is taken as ISO 639-3.
    """
    table = {**_letter_codes(), **LANG2VEC_CODES, **(overrides or {})}
    for code in (lang, base_language(lang)):
        if code in table:
            return table[code]
    if len(lang) == 3 and lang.isalpha():
        return lang
    raise ConfigError(
        f"language {lang!r} has no lang2vec code. Fix: add it under 'report.linguistic.codes' "
        f"(ISO 639-3, e.g. {lang}: xxx), or drop the linguistic analysis (report.linguistic.enabled: false)."
    )


@cache
def _letter_codes() -> dict[str, str]:
    """lang2vec's ISO 639-1 -> 639-3 table, found through the package's metadata (no import: see :func:`_lang2vec`)."""
    try:
        path = distribution("lang2vec").locate_file("lang2vec/data/letter_codes.json")
        return dict(json.loads(Path(str(path)).read_text(encoding="utf-8")))
    except (PackageNotFoundError, OSError):
        return {}


@cache
def _lang2vec() -> ModuleType:
    """The ``lang2vec.lang2vec`` module (URIEL loads in a few seconds, so only when needed).

    lang2vec's wheel also installs a copy of the module as a script, ``bin/lang2vec.py``; under a
    console script (pytest, snakemake) ``bin/`` is first on ``sys.path`` and that copy, which
    looks for URIEL's data next to itself, would shadow the package. It is imported without it.
    """
    scripts = os.path.realpath(sysconfig.get_path("scripts"))
    shadowing = [entry for entry in sys.path if os.path.realpath(entry or os.curdir) == scripts]
    cached = sys.modules.get("lang2vec")
    if cached is not None and not hasattr(cached, "__path__"):  # the script copy, imported before
        del sys.modules["lang2vec"]
    for entry in shadowing:
        sys.path.remove(entry)
    try:
        with warnings.catch_warnings():  # lang2vec imports pkg_resources, deprecated (setuptools is pinned below 81)
            warnings.simplefilter("ignore", UserWarning)
            return importlib.import_module("lang2vec.lang2vec")
    finally:
        sys.path[:0] = shadowing


def lang2vec_features(codes: Sequence[str], feature_set: str) -> dict[str, Sequence[float | str]]:
    """Languages' URIEL vectors in one feature set (``--`` marks a missing value), read in one pass; ConfigError for an unknown code."""
    try:
        found = _lang2vec().get_features(sorted(set(codes)), feature_set)
    except Exception as error:  # lang2vec raises a bare Exception for an unknown language or feature set
        raise ConfigError(
            f"lang2vec has no {feature_set!r} features for {sorted(set(codes))} ({error}). Fix: correct 'report.linguistic.codes' "
            "or 'report.linguistic.feature_sets'."
        ) from None
    return {code: found[code] for code in codes}


def masked_cosine(a: Sequence[float | str], b: Sequence[float | str]) -> float:
    """Cosine of two vectors over the positions known in both; NaN when none is, or one side is all zeros there."""
    known = [(float(x), float(y)) for x, y in zip(a, b, strict=True) if x != MISSING and y != MISSING]
    if not known:
        return math.nan
    left, right = np.array(known).T
    norm = float(np.linalg.norm(left) * np.linalg.norm(right))
    return float(left @ right / norm) if norm else math.nan


def similarity(query_lang: str, doc_lang: str, feature_set: str, codes: Mapping[str, str] | None = None,
               features: Features = lang2vec_features) -> float:  # fmt: skip
    """The masked cosine similarity of two languages' vectors in one lang2vec feature set."""
    left, right = lang2vec_code(query_lang, codes), lang2vec_code(doc_lang, codes)
    vectors = features([left, right], feature_set)
    return masked_cosine(vectors[left], vectors[right])


def pair_similarities(
    pairs: Sequence[tuple[str, str]],
    feature_sets: Mapping[str, str] = FEATURE_SETS,
    codes: Mapping[str, str] | None = None,
    features: Features = lang2vec_features,
) -> pd.DataFrame:
    """``query_lang, doc_lang, feature, similarity`` for every pair and feature group (each feature set read once)."""
    code = {lang: lang2vec_code(lang, codes) for pair in pairs for lang in pair}
    rows = []
    for group, feature_set in feature_sets.items():
        vectors = features(sorted(set(code.values())), feature_set)
        rows += [(q, d, group, masked_cosine(vectors[code[q]], vectors[code[d]])) for q, d in pairs]
    frame = pd.DataFrame(rows, columns=["query_lang", "doc_lang", "feature", "similarity"])
    return frame.sort_values(["query_lang", "doc_lang"], kind="stable").reset_index(drop=True)


CORRELATION_COLUMNS = ["dataset", "run", "feature", "spearman", "p_value", "n_pairs"]


def correlations(metrics: pd.DataFrame, similarities: pd.DataFrame, metric: str, runs: Sequence[str]) -> pd.DataFrame:
    """Spearman's rho (and p) between pair similarity and ``metric`` per (dataset, run, feature), over the pairs of both.

    ``metrics`` is ``results/metrics.csv``'s frame; macro rows are ignored. A feature with fewer
    than three pairs of known similarity (or constant values) gets NaN.
    """
    from scipy import stats

    scores = metrics[(metrics["metric"] == metric) & (metrics["query_lang"] != MACRO) & metrics["run"].isin(runs)]
    joined = scores.merge(similarities, on=["query_lang", "doc_lang"]).dropna(subset=["similarity"])
    rows = []
    for (dataset, run, feature), group in joined.groupby(["dataset", "run", "feature"], sort=True):
        rho, p_value = math.nan, math.nan
        if len(group) >= 3 and group["value"].nunique() > 1 and group["similarity"].nunique() > 1:
            result = stats.spearmanr(group["similarity"], group["value"])
            rho, p_value = float(result.statistic), float(result.pvalue)
        rows.append((dataset, run, feature, rho, p_value, len(group)))
    return pd.DataFrame(rows, columns=CORRELATION_COLUMNS)
