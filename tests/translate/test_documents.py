"""Tests of crossrank.translate.documents: documents translated through the tiny M2M100 (no download), cached, resumed, sharded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import factories
import pytest

from crossrank.core.cache_store import key_shard
from crossrank.core.contract import Document
from crossrank.core.errors import ConfigError
from crossrank.translate.documents import join_pieces, segment_documents, translate_documents, translate_pieces
from crossrank.translate.nllb import NllbSettings, NllbTranslator, result_settings
from crossrank.translate.segment import pieces

LONG_GERMAN = " ".join(f"Deutschland ist Land Nummer {i} in Europa." for i in range(40))
DOCUMENTS = factories.documents(
    {
        "de1": ("de", "Deutschland ist ein Land in Europa. Die Währung ist der Euro."),
        "fr1": ("fr", "La France est un pays."),
        "zh1": ("zh", "中国是一个国家。货币是人民币。"),
        "ja1": ("ja", "日本は国です。"),
        "de2": ("de", LONG_GERMAN),
        "ar1": ("ar", "ألمانيا بلد في أوروبا."),
    }
)


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


def test_documents_are_translated_with_a_piece_count_each(settings: NllbSettings, tmp_path: Path):
    result = translate_documents(DOCUMENTS, settings, tmp_path / "cache")
    assert [r.docid for r in result] == [d.docid for d in DOCUMENTS]
    assert all(r.text and "\t" not in r.text and "\n" not in r.text for r in result)
    by_id = {r.docid: r for r in result}
    assert by_id["de2"].pieces == 40  # one piece per sentence
    assert by_id["fr1"].pieces == 1


def test_english_documents_are_not_machine_translated(settings: NllbSettings, tmp_path: Path):
    with pytest.raises(ValueError, match="copy"):
        translate_documents(factories.documents({"e": ("en", "Hello.")}), settings, tmp_path)


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
    translate_documents([*DOCUMENTS[:2], *factories.documents({"fr2": ("fr", "Sa langue est le français.")})], settings, tmp_path / "cache")
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
import factories
from crossrank.translate.documents import translate_documents
from crossrank.translate.nllb import NllbSettings, NllbTranslator

original = NllbTranslator.translate
def slow(self, token_ids, *args, **kwargs):
    time.sleep(0.3)
    return original(self, token_ids, *args, **kwargs)
NllbTranslator.translate = slow
docs = factories.numbered_documents([f"Deutschland ist Land Nummer {i} in Europa." for i in range(40)], "de")
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
    docs = factories.numbered_documents([f"Deutschland ist Land Nummer {i} in Europa." for i in range(40)], "de")
    settings = NllbSettings(model=str(tiny_nllb), num_beams=1, max_input_tokens=64, max_output_tokens=8, chunk_size=1)
    counter = CountingTranslate(monkeypatch)
    translate_documents(docs, settings, cache_root)
    assert counter.pieces == 40 - stored


def test_shards_partition_the_distinct_pieces_so_each_is_translated_once(settings: NllbSettings, tmp_path: Path):
    shared = "Deutschland ist ein Land in Europa."
    docs = [*DOCUMENTS, *factories.documents({"de3": ("de", shared), "de4": ("de", f"{shared} Noch ein Satz.")})]
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


def test_an_unmapped_document_language_stops_before_any_translation(settings: NllbSettings, tmp_path: Path):
    with pytest.raises(ConfigError, match="'la'"):
        translate_documents(factories.documents({"l": ("la", "Gallia est omnis divisa.")}), settings, tmp_path)


def test_document_segmentation_merges_shards_into_the_one_process_translation(settings: NllbSettings, tmp_path: Path):
    whole = replace(settings, segmentation="document")
    shards = [translate_pieces(DOCUMENTS, whole, tmp_path / "cache", i, 2) for i in range(2)]
    # The merge segments again with only the settings that change a translation, as the workflow passes them.
    merge = NllbTranslator(NllbSettings.from_params(result_settings(asdict(whole))))
    merged = join_pieces(segment_documents(DOCUMENTS, merge), {k: v for shard in shards for k, v in shard.items()}, DOCUMENTS)
    one_process = translate_documents(DOCUMENTS, whole, tmp_path / "fresh")
    assert merged == one_process
    assert [r.pieces for r in one_process] == [1] * len(DOCUMENTS)  # the 40-sentence document too, truncated
