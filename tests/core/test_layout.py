"""Paths of the pipeline (crossrank.core.layout): templates, partial filling, wildcard constraints."""

from __future__ import annotations

import re

from crossrank.core import layout


def test_fill_substitutes_only_the_given_wildcards():
    assert layout.fill(layout.RUN, dataset="cldr") == "results/cldr/runs/{run}.trec"
    assert layout.fill(layout.DOCUMENTS, dataset="cldr", condition="original") == "data/original/cldr/documents.tsv"
    assert layout.fill(layout.RUN, nothing="x") == layout.RUN


def test_any_of_matches_exactly_the_names():
    assert re.fullmatch(layout.any_of(["cldr", "mmarco"]), "mmarco")
    assert not re.fullmatch(layout.any_of(["cldr"]), "cldrx")
    assert not re.fullmatch(layout.any_of([]), "cldr") and not re.fullmatch(layout.any_of([]), "")


def test_every_dataset_stage_writes_under_data_or_results_by_stage():
    """Each DVC stage owns whole directories: data/<stage>/<dataset>/... or results/..."""
    templates = {name: value for name, value in vars(layout).items() if name.isupper() and isinstance(value, str) and "/" in value}
    assert templates
    assert templates.pop("PAPER_RESULTS").startswith("workflow/data/")  # the one file the project ships (the paper's numbers)
    assert all(t.split("/")[0] in {"data", "results", "cache"} for t in templates.values()), templates
    assert layout.QUERIES.startswith("data/original/") and layout.CONDITIONS == ("original", "translated")
