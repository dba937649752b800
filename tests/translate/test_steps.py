"""The translate steps as the workflow calls them: shards, merge, records, quality."""

from __future__ import annotations

import csv
from pathlib import Path

import factories
import pytest

from crossrank.core import contract
from crossrank.core.errors import InputError
from crossrank.core.io import read_tsv
from crossrank.translate import steps
from crossrank.translate.backends import RECORD_COLUMNS, SUMMARY_COLUMNS

DOCUMENTS = factories.documents(
    {
        "de1": ("de", "Deutschland ist ein Land in Europa."),
        "en1": ("en", "Germany is a country in Europe."),
        "fr1": ("fr", "La France est un pays."),
        "zh1": ("zh", "中国是一个国家。货币是人民币。"),
        "ja1": ("ja", "日本は国です。"),
    }
)
REFERENCE = factories.documents(
    {
        "de1": ("en", "Germany is a country in Europe."),
        "en1": ("en", "Germany is a country in Europe."),
        "fr1": ("en", "France is a country."),
        "zh1": ("en", "China is a country. The currency is the renminbi."),
        "ja1": ("en", "Japan is a country."),
    }
)


def test_shards_merge_into_the_translated_condition_with_a_record_per_document(tiny_nllb: Path, tmp_path: Path):
    original = factories.write_documents_file(tmp_path / "documents.tsv", DOCUMENTS)
    nllb = {"model": str(tiny_nllb), "num_beams": 2, "max_input_tokens": 64, "max_output_tokens": 12}
    shards = [str(tmp_path / f"shard{i}.tsv") for i in range(2)]
    for i, shard in enumerate(shards):
        steps.translate_shard(str(original), nllb, i, 2, str(tmp_path / "cache"), shard)
    out = {k: str(tmp_path / f"out_{k}.tsv") for k in ("documents", "record", "summary")}
    steps.translate(str(original), "nllb", shards, {**nllb, "revision": "main"}, out)

    translated = contract.read_documents(out["documents"])
    assert [d.docid for d in translated] == [d.docid for d in DOCUMENTS]
    assert {d.lang for d in translated} == {"en"}
    assert translated[1].text == DOCUMENTS[1].text
    record = {fields[0]: fields for _, fields in read_tsv(out["record"], RECORD_COLUMNS, header=True)}
    assert record["en1"][2:] == ["copy", "0", "-"]
    assert record["de1"][2:] == ["nllb", "1", f"{tiny_nllb}@main"]
    assert record["zh1"][1:3] == ["zh", "nllb"]
    summary = [fields for _, fields in read_tsv(out["summary"], SUMMARY_COLUMNS, header=True)]
    assert ["en", "copy", "1", "0"] in summary and ["zh", "nllb", "1", "2"] in summary  # two sentences

    reference = factories.write_documents_file(tmp_path / "oracle_en.tsv", REFERENCE)
    steps.translation_quality(str(original), out["documents"], str(reference), str(tmp_path / "quality.csv"))
    with open(tmp_path / "quality.csv") as handle:
        quality = list(csv.DictReader(handle))
    assert [row["source_lang"] for row in quality] == ["de", "fr", "ja", "zh", "all"]  # English was copied, not scored
    assert all(0 <= float(row["chrf"]) <= 100 for row in quality)


def test_a_missing_shard_leaves_no_output_behind(tiny_nllb: Path, tmp_path: Path):
    original = factories.write_documents_file(tmp_path / "documents.tsv", DOCUMENTS)
    nllb = {"model": str(tiny_nllb), "num_beams": 1, "max_input_tokens": 64, "max_output_tokens": 4}
    steps.translate_shard(str(original), nllb, 0, 2, str(tmp_path / "cache"), str(tmp_path / "shard0.tsv"))
    out = {k: str(tmp_path / f"out_{k}.tsv") for k in ("documents", "record", "summary")}
    with pytest.raises(InputError, match=r"^translation shards: no translation of some pieces .*Fix: re-run the translate_shard jobs"):
        steps.translate(str(original), "nllb", [str(tmp_path / "shard0.tsv")], nllb, out)
    assert not any(Path(p).exists() for p in out.values())


def test_a_dataset_without_translation_records_none_per_language(tmp_path: Path):
    original = factories.write_documents_file(tmp_path / "documents.tsv", DOCUMENTS)
    out = {"record": str(tmp_path / "record.tsv"), "summary": str(tmp_path / "summary.tsv")}
    steps.skip_translation(str(original), out)
    assert list(read_tsv(out["record"], RECORD_COLUMNS, header=True)) == []
    summary = [fields for _, fields in read_tsv(out["summary"], SUMMARY_COLUMNS, header=True)]
    assert summary == [[lang, "none", "1", "0"] for lang in ("de", "en", "fr", "ja", "zh")]
