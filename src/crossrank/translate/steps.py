"""The steps of ``workflow/rules/translate.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from crossrank.core import contract
from crossrank.core.contract import Document
from crossrank.core.errors import InputError
from crossrank.core.io import all_or_nothing, atomic_write, write_tsv
from crossrank.core.manifest import write_manifest
from crossrank.translate.backends import NO_TRANSLATION, RECORD_COLUMNS, SUMMARY_COLUMNS, summary, translate_documents
from crossrank.translate.codes import ENGLISH_SOURCES
from crossrank.translate.documents import (
    EnglishText,
    join_pieces,
    needs_translation,
    read_shards,
    segment_documents,
    translate_pieces,
    write_shard,
)
from crossrank.translate.nllb import NllbSettings, NllbTranslator
from crossrank.translate.quality import QUALITY_COLUMNS
from crossrank.translate.quality import translation_quality as score

Paths = Mapping[str, str]


def translate_shard(documents_path: str, nllb_params: Mapping[str, Any], shard: int, shards: int, cache_root: str, out_shard: str) -> None:
    """Machine-translate one shard of a corpus's distinct pieces (through the cache)."""
    documents = [d for d in contract.read_documents(documents_path) if needs_translation(d)]
    write_shard(out_shard, translate_pieces(documents, NllbSettings.from_params(nllb_params), cache_root, shard, shards))


def translate(documents_path: str, backend: str, english_paths: Sequence[str], nllb_params: Mapping[str, Any], out: Paths) -> None:
    """Write the ``translated`` condition, which backend produced each document, and a per-language summary.

    ``english_paths`` are the parallel English documents (``oracle``) or the translation
    shards (``nllb``, joined per document after segmenting again with ``nllb_params``'s
    tokenizer); ``copy`` needs none.
    """
    documents = contract.read_documents(documents_path)
    english: dict[str, EnglishText] | None = None
    model = "-"
    if backend == "oracle":
        english = {d.docid: EnglishText(d.docid, d.text, 0) for path in english_paths for d in contract.read_documents(path)}
    elif backend == "nllb":
        english = _merge_shards(documents, nllb_params, english_paths)
        model = f"{nllb_params['model']}@{nllb_params['revision']}" if nllb_params.get("revision") else nllb_params["model"]
    translated = translate_documents(documents, backend, english, model)
    with all_or_nothing(out.values()):
        contract.write_documents(out["documents"], (t.document for t in translated))
        rows = ((t.document.docid, t.source_lang, t.backend, t.pieces, t.model) for t in translated)
        write_tsv(out["record"], rows, header=RECORD_COLUMNS)
        write_tsv(out["summary"], summary(translated), header=SUMMARY_COLUMNS)
        if "manifest" in out:  # last: it exists only once the documents it lists are complete
            write_manifest(out["manifest"], {"documents": out["documents"]}, "translate")


def _merge_shards(documents: Sequence[Document], nllb_params: Mapping[str, Any], shard_paths: Sequence[str]) -> dict[str, EnglishText]:
    todo = [d for d in documents if needs_translation(d)]
    segmented = segment_documents(todo, NllbTranslator(NllbSettings.from_params(nllb_params)))
    translations = read_shards(shard_paths)
    lacking = [d.docid for d in todo if any(key not in translations for key in segmented.keys[d.docid])]
    if lacking:
        raise InputError(
            "translation shards",
            f"no translation of some pieces of {len(lacking)} document(s), e.g. {lacking[0]!r}.",
            fix="re-run the translate_shard jobs (with the same translation.nllb settings).",
        )
    return {e.docid: e for e in join_pieces(segmented, translations, todo)}


def skip_translation(documents_path: str, out: Paths) -> None:
    """For a dataset without a translated condition: an empty record and a summary saying ``none``."""
    documents = contract.read_documents(documents_path)
    per_language = Counter(d.lang for d in documents)
    rows = [(lang, NO_TRANSLATION, count, 0) for lang, count in sorted(per_language.items())]
    with all_or_nothing(out.values()):
        write_tsv(out["record"], [], header=RECORD_COLUMNS)
        write_tsv(out["summary"], rows, header=SUMMARY_COLUMNS)


def translation_quality(documents_path: str, translated_path: str, reference_path: str, out_csv: str) -> None:
    """chrF and BLEU per source language of the machine translations against the parallel English."""
    source_lang = {d.docid: d.lang for d in contract.read_documents(documents_path)}
    reference = {d.docid: d.text for d in contract.read_documents(reference_path)}
    rows = [
        (source_lang[d.docid], d.text, reference[d.docid])
        for d in contract.read_documents(translated_path)
        if source_lang[d.docid] not in ENGLISH_SOURCES
    ]
    with atomic_write(out_csv) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(QUALITY_COLUMNS)
        writer.writerows(score(rows))
