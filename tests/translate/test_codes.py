"""Tests of crossrank.translate.codes: the FLORES-200 code of every language the pipeline translates."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossrank.core.errors import ConfigError
from crossrank.prepare import cldr
from crossrank.prepare.protocols import clirmatrix, largescale, mmarco
from crossrank.translate.codes import FLORES_CODES, flores_code


@pytest.mark.parametrize("languages", [cldr.LANGUAGES, clirmatrix.MULTI8_LANGUAGES, mmarco.LANGUAGES, largescale.LANGUAGES], ids=str)
def test_every_language_of_the_three_datasets_has_a_flores_code(languages):
    assert all(flores_code(lang) for lang in languages)


def test_flores_codes_are_language_tokens_of_the_nllb_tokenizer(tiny_nllb: Path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_nllb)
    unknown = [code for code in set(FLORES_CODES.values()) if tokenizer.convert_tokens_to_ids(code) == tokenizer.unk_token_id]
    assert unknown == []


def test_known_mappings_and_overrides():
    assert [flores_code(c) for c in ("ar", "zh", "ja", "no", "nn", "tl", "sw", "simple")] == [
        "arb_Arab",
        "zho_Hans",
        "jpn_Jpan",
        "nob_Latn",
        "nno_Latn",
        "tgl_Latn",
        "swh_Latn",
        "eng_Latn",
    ]
    assert flores_code("zh", {"zh": "zho_Hant"}) == "zho_Hant"


def test_an_unmapped_language_names_the_setting_that_fixes_it():
    with pytest.raises(ConfigError, match=r"translation\.nllb\.language_codes") as info:
        flores_code("la")
    assert "'la'" in str(info.value)
