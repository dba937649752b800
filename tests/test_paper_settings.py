"""Tests of crossrank.paper_settings: docs/paper-settings.md is generated from the schema and agrees with the paper overlay."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from crossrank import paper_settings
from crossrank.paper_settings import PaperSetting, overlay_differences, render, table_keys, table_problems, value_at

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    return paper_settings.load(ROOT)


def test_the_committed_table_is_the_generated_one(project):
    schema, defaults, overlaid = project
    committed = (ROOT / paper_settings.TABLE).read_text(encoding="utf-8")
    assert committed == render(paper_settings.paper_settings(schema), defaults, overlaid), (
        "docs/paper-settings.md is stale: run `python -m crossrank.paper_settings` and commit it"
    )


def test_the_table_lists_exactly_the_annotated_keys(project):
    settings = paper_settings.paper_settings(project[0])
    committed = (ROOT / paper_settings.TABLE).read_text(encoding="utf-8")
    assert table_problems(settings, committed) == []
    assert sorted(table_keys(committed)) == sorted(s.key for s in settings if s.key)


def test_a_key_annotated_but_missing_from_the_table_or_listed_but_not_annotated_is_named(project):
    schema = project[0]
    committed = (ROOT / paper_settings.TABLE).read_text(encoding="utf-8")
    planted = copy.deepcopy(schema)
    planted["properties"]["bm25"]["properties"]["delta"]["x-paper"] = {"group": "BM25", "paper": "not stated", "source": "§3.2"}
    assert table_problems(paper_settings.paper_settings(planted), committed) == [
        "the schema annotates 'bm25.delta' with x-paper, but the table lacks it"
    ]
    del planted["properties"]["bm25"]["properties"]["delta"]["x-paper"]
    del planted["properties"]["ann"]["properties"]["m"]["x-paper"]
    assert table_problems(paper_settings.paper_settings(planted), committed) == [
        "the table lists 'ann.m', which no x-paper annotation of the schema names"
    ]


def test_every_annotated_key_is_a_setting_of_params_yaml(project):
    _, defaults, overlaid = project
    for setting in paper_settings.paper_settings(project[0]):
        if setting.key is not None:
            value_at(defaults, setting.key)  # raises KeyError naming a misspelt key
            value_at(overlaid, setting.key)
    with pytest.raises(KeyError, match=r"params has no key 'ann\.ef'"):
        value_at(defaults, "ann.ef")


def test_the_paper_overlay_sets_every_literal_value_or_states_its_deviation(project):
    schema, _, overlaid = project
    settings = paper_settings.paper_settings(schema)
    assert overlay_differences(settings, overlaid) == []
    literal = [s for s in settings if s.key and s.has_literal]
    assert {s.key for s in literal} >= {
        "ann.ef_search",
        "embedding.precision",
        "embedding.prefixes",
        "evaluation.relevance.clirmatrix",
        "evaluation.relevance.largescale",
        "largescale.pool",
        "report.metric",
        "translation.nllb.segmentation",
        "translation.nllb.max_input_tokens",
        "translation.nllb.precision",
        "truncation.max_tokens",
        "encoders.xlmr.model",
        "encoders.me5-instruct.model",
    }
    for setting in literal:
        assert (value_at(overlaid, setting.key) == setting.literal) != bool(setting.deviation), setting.key
    # A planted drift: the overlay forgets the paper's ef without saying why.
    drifted = copy.deepcopy(overlaid)
    drifted["ann"]["ef_search"] = None
    assert overlay_differences(settings, drifted) == ["ann.ef_search: the paper overlay has None, the paper 50, and no deviation is stated"]


def test_a_deviation_is_shown_with_the_papers_value():
    setting = PaperSetting("HNSW", "ann.ef_search", "ef = 50", "App. E", literal=50, deviation="we search wider")
    text = render([setting], {"ann": {"ef_search": None}}, {"ann": {"ef_search": 200}})
    assert "| `ann.ef_search` | ef = 50 | App. E | `null` | `200` | **overlay differs** (paper: 50): we search wider |" in text
    assert overlay_differences([setting], {"ann": {"ef_search": 50}}) == [
        "ann.ef_search: the paper overlay has the paper's value 50, but a deviation is stated"
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"group": "Speed", "paper": "x", "source": "§1"}, "group 'Speed' is not one of"),
        ({"group": "HNSW", "paper": "x"}, "needs group, paper and source"),
        ({"group": "HNSW", "paper": "x", "source": "§1", "deviation": "why"}, "a deviation needs the literal value"),
        ({"group": "HNSW", "paper": "x", "source": "§1", "colour": "red"}, "needs group, paper and source, and only"),
    ],
)
def test_a_malformed_annotation_is_refused_naming_its_key(entry, message):
    schema = {"properties": {"ann": {"properties": {"m": {"x-paper": entry}}}}}
    with pytest.raises(ValueError, match=rf"x-paper of 'ann.m': .*{message}"):
        paper_settings.paper_settings(schema)


def test_check_mode_names_the_missing_row_and_the_fix(tmp_path):
    for name in ("params.yaml", "workflow/schemas/params.schema.yaml", "workflow/overlays/paper.yaml", "docs/paper-settings.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    paper_settings.main(["--root", str(tmp_path), "--check"])  # the committed copy is current
    schema_path = tmp_path / "workflow/schemas/params.schema.yaml"
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["bm25"]["properties"]["delta"]["x-paper"] = {"group": "BM25", "paper": "not stated", "source": "§3.2"}
    schema_path.write_text(yaml.safe_dump(schema, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"(?s)stale.*'bm25.delta'.*python -m crossrank.paper_settings"):
        paper_settings.main(["--root", str(tmp_path), "--check"])
    paper_settings.main(["--root", str(tmp_path)])
    paper_settings.main(["--root", str(tmp_path), "--check"])
