"""Documents truncated to N tokens at preparation (crossrank.prepare.truncation, the paper's section 3.1)."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest
import yaml
from releases import write_mmarco

from crossrank.config import validate_params
from crossrank.core import contract, layout
from crossrank.core.contract import Document
from crossrank.core.errors import ConfigError
from crossrank.prepare import steps, truncation
from crossrank.prepare.truncation import TruncationSettings, load_tokenizer, truncate_documents

PROJECT = Path(__file__).resolve().parents[2]
SCHEMA = PROJECT / "workflow/schemas/params.schema.yaml"
LONG = "Germany Deutschland Allemagne Alemania Германия ドイツ 德国 ألمانيا France Frankreich Francia Франция フランス 法国"
CJK = "日本ドイツ德国フランス法国ユーロ欧元日本ドイツ德国フランス法国ユーロ欧元"


def _settings(tokenizer: Path, max_tokens: int) -> TruncationSettings:
    return TruncationSettings(max_tokens=max_tokens, tokenizer=str(tokenizer))


def _count(tokenizer, text: str) -> int:
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def test_a_long_document_is_cut_to_exactly_max_tokens_and_a_short_one_is_kept(tiny_xlmr):
    tokenizer = load_tokenizer(_settings(tiny_xlmr, 5))
    assert _count(tokenizer, LONG) > 5
    long, short = Document("d1", "de", LONG), Document("d2", "en", "Euro")
    documents, statistics = truncate_documents([long, short], _settings(tiny_xlmr, 5))
    assert LONG.startswith(documents[0].text) and documents[0].text != LONG
    assert _count(tokenizer, documents[0].text) == 5
    assert (documents[0].docid, documents[0].lang) == ("d1", "de")
    assert documents[1] is short
    assert statistics == [("truncation", "documents_truncated", 1), ("truncation", "max_tokens", 5)]


def test_cjk_text_without_spaces_is_cut_too(tiny_xlmr):
    tokenizer = load_tokenizer(_settings(tiny_xlmr, 4))
    (document,), _ = truncate_documents([Document("d", "ja", CJK)], _settings(tiny_xlmr, 4))
    assert CJK.startswith(document.text) and 0 < len(document.text) < len(CJK)
    assert _count(tokenizer, document.text) == 4


def test_max_tokens_zero_loads_nothing_and_changes_nothing(monkeypatch):
    def no_loading(*args, **kwargs):
        raise AssertionError("a tokenizer was loaded")

    monkeypatch.setattr(truncation, "resolve_model", no_loading)
    monkeypatch.setattr(truncation, "load_tokenizer", no_loading)
    documents = [Document("d", "de", LONG)]
    result, statistics = truncate_documents(documents, TruncationSettings(max_tokens=0, tokenizer="no/such-model"))
    assert result == documents and result[0] is documents[0] and statistics == []
    prepared = object()
    assert truncation.truncate_prepared(prepared, {"max_tokens": 0, "tokenizer": "no/such-model"}) is prepared
    assert truncation.truncate_prepared(prepared, None) is prepared


def _outputs(root: Path) -> dict[str, str]:
    names = {
        "documents": layout.fill(layout.DOCUMENTS, dataset="mmarco", condition="original"),
        "queries": layout.fill(layout.QUERIES, dataset="mmarco"),
        "oracle": layout.fill(layout.ORACLE_ENGLISH, dataset="mmarco"),
        "query_documents": layout.fill(layout.QUERY_DOCUMENTS, dataset="mmarco"),
        "candidates": layout.fill(layout.TRAINING_CANDIDATES, dataset="mmarco"),
        "docs": layout.fill(layout.DOCS_TABLE, dataset="mmarco"),
        "topics": layout.fill(layout.TOPICS, dataset="mmarco"),
        "qrels": layout.fill(layout.QRELS, dataset="mmarco"),
        "statistics": layout.fill(layout.STATISTICS, dataset="mmarco"),
    }
    return {key: str(root / path) for key, path in names.items()}


def _statistics(path: str) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_step_truncates_documents_and_oracle_english_but_not_training_pairs(tmp_path, tiny_xlmr):
    write_mmarco(tmp_path / "release", ["de", "en", "zh"])
    params = {"root": str(tmp_path / "release"), "languages": ["de", "en", "zh"], "train_queries_per_pair": 4}
    whole, cut = _outputs(tmp_path / "whole"), _outputs(tmp_path / "cut")
    steps.prepare_mmarco(params, whole)
    steps.prepare_mmarco(params, cut, {"max_tokens": 2, "tokenizer": str(tiny_xlmr), "revision": None})
    tokenizer = load_tokenizer(_settings(tiny_xlmr, 2))
    for kind in ("documents", "oracle"):
        before, after = contract.read_documents(whole[kind]), contract.read_documents(cut[kind])
        assert [(d.docid, d.lang) for d in before] == [(d.docid, d.lang) for d in after]
        assert all(b.text.startswith(a.text) and _count(tokenizer, a.text) <= 2 for b, a in zip(before, after, strict=True))
        assert any(b.text != a.text for b, a in zip(before, after, strict=True)), kind
    training = Path(cut["query_documents"]).read_text()
    assert training == Path(whole["query_documents"]).read_text() and len(training.splitlines()) > 1
    rows = {(row["statistic"], row["key"]): int(row["value"]) for row in _statistics(cut["statistics"])}
    documents = contract.read_documents(whole["documents"])
    assert rows[("truncation", "max_tokens")] == 2
    assert rows[("truncation", "documents_truncated")] == sum(_count(tokenizer, d.text) > 2 for d in documents) > 0
    assert not [row for row in _statistics(whole["statistics"]) if row["statistic"] == "truncation"]


@pytest.fixture
def params() -> dict:
    return yaml.safe_load((PROJECT / "params.yaml").read_text(encoding="utf-8"))


def test_the_config_validates_with_the_block_and_rejects_a_negative_limit(params):
    config = copy.deepcopy(params)
    config["truncation"] = {"max_tokens": 512, "tokenizer": "FacebookAI/xlm-roberta-base", "revision": None}
    assert validate_params(config, SCHEMA)["truncation"]["max_tokens"] == 512
    missing = copy.deepcopy(params)
    missing.pop("truncation", None)
    assert validate_params(missing, SCHEMA)["truncation"] == {"max_tokens": 0, "tokenizer": "FacebookAI/xlm-roberta-base", "revision": None}
    params["truncation"] = {"max_tokens": -1}
    with pytest.raises(ConfigError, match=r"'truncation\.max_tokens': -1 is less than the minimum of 0"):
        validate_params(params, SCHEMA)


@pytest.mark.parametrize("text", [LONG, "Afghanistan: Pashto, Dari. Afghan afghani (AFN).", CJK])
def test_no_cut_tokenizes_into_more_than_max_tokens(tiny_xlmr, text):
    # A prefix cut at a token's end can tokenize into one token more (a word cut in two, e.g.
    # "Afghanistan: P" with this tokenizer); the cut then moves back a token.
    tokenizer = load_tokenizer(_settings(tiny_xlmr, 1))
    for limit in range(2, _count(tokenizer, text)):
        (document,), _ = truncate_documents([Document("d", "en", text)], _settings(tiny_xlmr, limit))
        assert text.startswith(document.text) and document.text
        assert _count(tokenizer, document.text) <= limit, (limit, document.text)
