"""Tests of crossrank.translate.nllb: batches within a token budget, generation settings, and limits of the tiny M2M100."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossrank.core.errors import ConfigError
from crossrank.translate.nllb import NllbSettings, NllbTranslator, plan_batches


def test_batches_fit_the_token_budget_and_cover_every_input_once():
    lengths = [5, 40, 7, 33, 12, 3, 40, 9, 100]
    for sort in (True, False):
        batches = plan_batches(lengths, 80, sort_by_length=sort)
        assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
        assert all(len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 80 for b in batches)
    padded = {sort: sum(len(b) * max(lengths[i] for i in b) for b in plan_batches(lengths, 80, sort)) for sort in (True, False)}
    assert padded[True] < padded[False]
    assert plan_batches(lengths, 80)[0] == [8]  # longest first: an out-of-memory batch fails at once


def test_generation_forces_english_and_follows_the_settings(settings: NllbSettings, monkeypatch: pytest.MonkeyPatch):
    translator = NllbTranslator(settings)
    seen = {}
    original = type(translator.model).generate

    def spy(model, **kwargs):
        seen.update(kwargs)
        return original(model, **kwargs)

    monkeypatch.setattr(type(translator.model), "generate", spy)
    translator.translate(translator.tokenize(["La France est un pays."], "fra_Latn"))
    assert seen["forced_bos_token_id"] == translator.tokenizer.convert_tokens_to_ids("eng_Latn")
    assert seen["num_beams"] == 2
    assert seen["max_new_tokens"] <= 16  # max_output_tokens
    assert translator.device == "cpu" and translator.precision == "float32"


def test_a_piece_limit_beyond_the_model_positions_is_a_config_error(tiny_nllb: Path):
    with pytest.raises(ConfigError, match="max_input_tokens"):
        NllbTranslator(NllbSettings(model=str(tiny_nllb), max_input_tokens=256))
