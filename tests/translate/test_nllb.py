"""The nllb translation backend end to end on a tiny M2M100 built locally (no download)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from crossrank.core.cache_store import chunk_name, key_shard
from crossrank.core.contract import Document
from crossrank.core.errors import ConfigError
from crossrank.prepare import cldr
from crossrank.prepare.protocols import clirmatrix, largescale, mmarco
from crossrank.translate.cache import TranslationCache
from crossrank.translate.codes import FLORES_CODES, flores_code
from crossrank.translate.documents import segment_documents, translate_documents, translate_pieces
from crossrank.translate.nllb import NllbSettings, NllbTranslator, plan_batches
from crossrank.translate.segment import pieces, split_sentences

LONG_GERMAN = " ".join(f"Deutschland ist Land Nummer {i} in Europa." for i in range(40))
DOCUMENTS = [
    Document("de1", "de", "Deutschland ist ein Land in Europa. Die Währung ist der Euro."),
    Document("fr1", "fr", "La France est un pays."),
    Document("zh1", "zh", "中国是一个国家。货币是人民币。"),
    Document("ja1", "ja", "日本は国です。"),
    Document("de2", "de", LONG_GERMAN),
    Document("ar1", "ar", "ألمانيا بلد في أوروبا."),
]


@pytest.fixture
def settings(tiny_nllb: Path) -> NllbSettings:
    return NllbSettings(model=str(tiny_nllb), num_beams=2, max_input_tokens=48, max_output_tokens=16, batch_tokens=256, chunk_size=3)


class CountingTranslate:
    """Wraps NllbTranslator.translate to count the pieces the model is asked to translate."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_on_call: int | None = None):
        self.pieces = 0
        self.calls = 0
        original = NllbTranslator.translate

        def counting(translator, token_ids, *args, **kwargs):
            self.calls += 1
            if fail_on_call is not None and self.calls == fail_on_call:
                raise KeyboardInterrupt("simulated kill")
            self.pieces += len(token_ids)
            return original(translator, token_ids, *args, **kwargs)

        monkeypatch.setattr(NllbTranslator, "translate", counting)


def _distinct_pieces(settings: NllbSettings, docs: list[Document]) -> int:
    translator = NllbTranslator(settings)
    found = set()
    for doc in docs:
        code = translator.source_code(doc.lang)
        count = lambda texts, code=code: [len(ids) for ids in translator.tokenize(texts, code)]  # noqa: E731
        found.update((code, p) for p in pieces(doc.text, count, settings.max_input_tokens))
    return len(found)


# --- language codes -----------------------------------------------------------------------


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


# --- segmentation -------------------------------------------------------------------------


def test_sentences_split_after_latin_cjk_arabic_and_devanagari_ends():
    text = "Erster Satz. Zweiter Satz! 第一句。第二句！هل هذا؟ नमस्ते। Last"
    assert split_sentences(text) == ["Erster Satz.", "Zweiter Satz!", "第一句。", "第二句！", "هل هذا؟", "नमस्ते।", "Last"]


def test_a_long_document_is_split_into_pieces_within_the_limit_and_loses_nothing(tiny_nllb: Path):
    translator = NllbTranslator(NllbSettings(model=str(tiny_nllb), max_input_tokens=64))
    for doc, limit in [(DOCUMENTS[4], 48), (Document("zh", "zh", "货币是人民币" * 40 + "。"), 16)]:
        code = translator.source_code(doc.lang)
        count = lambda texts, code=code: [len(ids) for ids in translator.tokenize(texts, code)]  # noqa: E731
        found = pieces(doc.text, count, limit)
        assert len(found) > 1
        assert max(count(found)) <= limit
        assert "".join(found).replace(" ", "") == doc.text.replace(" ", "")


def test_an_empty_document_has_no_pieces():
    assert pieces("  ", lambda texts: [2] * len(texts), 16) == []


# --- batching -----------------------------------------------------------------------------


def test_batches_fit_the_token_budget_and_cover_every_input_once():
    lengths = [5, 40, 7, 33, 12, 3, 40, 9, 100]
    for sort in (True, False):
        batches = plan_batches(lengths, 80, sort_by_length=sort)
        assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
        assert all(len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 80 for b in batches)
    padded = {sort: sum(len(b) * max(lengths[i] for i in b) for b in plan_batches(lengths, 80, sort)) for sort in (True, False)}
    assert padded[True] < padded[False]
    assert plan_batches(lengths, 80)[0] == [8]  # longest first: an out-of-memory batch fails at once


# --- translation, caching, resumption -----------------------------------------------------


def test_documents_are_translated_with_a_piece_count_each(settings: NllbSettings, tmp_path: Path):
    result = translate_documents(DOCUMENTS, settings, tmp_path / "cache")
    assert [r.docid for r in result] == [d.docid for d in DOCUMENTS]
    assert all(r.text and "\t" not in r.text and "\n" not in r.text for r in result)
    by_id = {r.docid: r for r in result}
    assert by_id["de2"].pieces == 40  # one piece per sentence
    assert by_id["fr1"].pieces == 1


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


def test_english_documents_are_not_machine_translated(settings: NllbSettings, tmp_path: Path):
    with pytest.raises(ValueError, match="copy"):
        translate_documents([Document("e", "en", "Hello.")], settings, tmp_path)


def test_a_second_run_is_served_from_the_cache_without_loading_the_model(
    settings: NllbSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    first = translate_documents(DOCUMENTS, settings, tmp_path / "cache")
    import transformers

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded although every piece is cached")

    monkeypatch.setattr(transformers.AutoModelForSeq2SeqLM, "from_pretrained", no_model)
    assert translate_documents(DOCUMENTS, settings, tmp_path / "cache") == first
    # A corpus sharing documents with the first one reuses them: only the new one is translated.
    monkeypatch.undo()
    counter = CountingTranslate(monkeypatch)
    translate_documents([*DOCUMENTS[:2], Document("fr2", "fr", "Sa langue est le français.")], settings, tmp_path / "cache")
    assert counter.pieces == 1


def test_changing_a_generation_setting_or_the_model_invalidates_the_cache(
    settings: NllbSettings, tiny_nllb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    translate_documents(DOCUMENTS[:2], settings, tmp_path / "cache")
    n = _distinct_pieces(settings, DOCUMENTS[:2])
    counter = CountingTranslate(monkeypatch)
    translate_documents(DOCUMENTS[:2], replace(settings, num_beams=3), tmp_path / "cache")
    assert counter.pieces == n
    other = tmp_path / "retrained"
    from tiny_models import build_tiny_nllb

    build_tiny_nllb(other, seed=1)
    translate_documents(DOCUMENTS[:2], replace(settings, model=str(other)), tmp_path / "cache")
    assert counter.pieces == 2 * n
    # max_input_tokens changes the pieces, not how a piece translates: the same pieces are reused.
    translate_documents(DOCUMENTS[:2], replace(settings, max_input_tokens=64), tmp_path / "cache")
    assert counter.pieces == 2 * n


def test_an_interrupted_run_resumes_with_only_the_missing_pieces(settings: NllbSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    total = _distinct_pieces(settings, DOCUMENTS)
    assert total > 2 * settings.chunk_size
    CountingTranslate(monkeypatch, fail_on_call=3)
    with pytest.raises(KeyboardInterrupt):
        translate_documents(DOCUMENTS, settings, tmp_path / "cache")
    monkeypatch.undo()
    resumed = CountingTranslate(monkeypatch)
    result = translate_documents(DOCUMENTS, settings, tmp_path / "cache")
    assert resumed.pieces == total - 2 * settings.chunk_size  # two chunks were stored before the kill
    monkeypatch.undo()
    assert result == translate_documents(DOCUMENTS, settings, tmp_path / "fresh")


KILLED_RUN = """
import sys, time
from crossrank.core.contract import Document
from crossrank.translate.documents import translate_documents
from crossrank.translate.nllb import NllbSettings, NllbTranslator

original = NllbTranslator.translate
def slow(self, token_ids, *args, **kwargs):
    time.sleep(0.3)
    return original(self, token_ids, *args, **kwargs)
NllbTranslator.translate = slow
docs = [Document(f"d{i}", "de", f"Deutschland ist Land Nummer {i} in Europa.") for i in range(40)]
settings = NllbSettings(model=sys.argv[1], num_beams=1, max_input_tokens=64, max_output_tokens=8, chunk_size=1)
translate_documents(docs, settings, sys.argv[2])
"""


def test_a_job_killed_with_sigkill_loses_at_most_the_chunk_in_progress(tiny_nllb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cache_root = tmp_path / "cache"
    script = tmp_path / "run.py"
    script.write_text(KILLED_RUN)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    job = subprocess.Popen([sys.executable, str(script), str(tiny_nllb), str(cache_root)], env=env)
    deadline = time.monotonic() + 120
    while len(list(cache_root.glob("*/*.jsonl"))) < 3 and time.monotonic() < deadline and job.poll() is None:
        time.sleep(0.05)
    job.send_signal(signal.SIGKILL)
    job.wait()
    stored = len(list(cache_root.glob("*/*.jsonl")))
    assert 3 <= stored < 40
    docs = [Document(f"d{i}", "de", f"Deutschland ist Land Nummer {i} in Europa.") for i in range(40)]
    settings = NllbSettings(model=str(tiny_nllb), num_beams=1, max_input_tokens=64, max_output_tokens=8, chunk_size=1)
    counter = CountingTranslate(monkeypatch)
    translate_documents(docs, settings, cache_root)
    assert counter.pieces == 40 - stored


def test_a_stray_temporary_file_is_not_read_as_a_chunk(tmp_path: Path):
    cache = TranslationCache(tmp_path, {"model": "m"})
    cache.add([b"a" * 64], ["first"])
    (cache.directory / ".half.jsonl.x.tmp").write_text('["' + "b" * 64 + '", "half')
    assert cache.missing([b"a" * 64, b"b" * 64]) == [b"b" * 64]
    assert cache.get(b"a" * 64) == "first"


def test_a_piece_stored_twice_reads_the_same_text_in_every_process(tmp_path: Path):
    key = b"k" * 64
    writer = TranslationCache(tmp_path, {"model": "m"})
    writer.add([key, b"x" * 64], ["from job one", "x"])
    writer.add([key], ["from job two"])
    names = sorted(p.name for p in writer.directory.glob("*.jsonl"))
    expected = "from job one" if names[0].startswith(chunk_name([key, b"x" * 64])) else "from job two"
    assert TranslationCache(tmp_path, {"model": "m"}).get(key) == expected


# --- shards and settings ------------------------------------------------------------------


def test_shards_partition_the_distinct_pieces_so_each_is_translated_once(settings: NllbSettings, tmp_path: Path):
    shared = "Deutschland ist ein Land in Europa."
    docs = [*DOCUMENTS, Document("de3", "de", shared), Document("de4", "de", f"{shared} Noch ein Satz.")]
    shards = [translate_pieces(docs, settings, tmp_path / "cache", i, 3) for i in range(3)]
    keys = [key for shard in shards for key in shard]
    segmented = segment_documents(docs, NllbTranslator(settings))
    assert sorted(keys) == sorted(segmented.sources) and len(keys) == len(set(keys))
    assert all(key_shard(key, 3) == i for i, shard in enumerate(shards) for key in shard)
    with pytest.raises(ValueError):
        translate_pieces(docs, settings, tmp_path / "cache", 3, 3)


def test_every_sentence_is_its_own_piece(settings: NllbSettings):
    segmented = segment_documents([DOCUMENTS[0], DOCUMENTS[2]], NllbTranslator(settings))
    assert [len(keys) for keys in segmented.keys.values()] == [2, 2]


def test_a_piece_limit_beyond_the_model_positions_is_a_config_error(tiny_nllb: Path):
    with pytest.raises(ConfigError, match="max_input_tokens"):
        NllbTranslator(NllbSettings(model=str(tiny_nllb), max_input_tokens=256))


def test_an_unmapped_document_language_stops_before_any_translation(settings: NllbSettings, tmp_path: Path):
    with pytest.raises(ConfigError, match="'la'"):
        translate_documents([Document("l", "la", "Gallia est omnis divisa.")], settings, tmp_path)


def test_auto_device_spreads_shards_over_gpus_and_picks_half_precision(monkeypatch: pytest.MonkeyPatch):
    import torch

    from crossrank.core.devices import resolve_device, resolve_precision

    assert (resolve_device("auto"), resolve_precision("auto", "cpu")) == ("cpu", "float32") or torch.cuda.is_available()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert [resolve_device("auto", shard) for shard in range(3)] == ["cuda:0", "cuda:1", "cuda:0"]
    assert resolve_device("cuda:3", 0) == "cuda:3"
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert resolve_precision("auto", "cuda:1") == "float16"
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert resolve_precision("auto", "cuda:0") == "bfloat16"
    assert resolve_precision("float32", "cuda:0") == "float32"
