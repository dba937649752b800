"""Whole documents through NLLB: segment, look up the cache, translate what is missing, join.

Work is cut in chunks of ``chunk_size`` pieces, longest first; each chunk is stored in the
cache before the next starts, so a killed job resumes where it stopped. Shards split a corpus
between jobs (several GPUs, SLURM nodes) with balanced lengths; every shard writes into the
same cache, and the merge reads each shard's output.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

from tqdm import tqdm

from crossrank.contract import Document
from crossrank.io import read_tsv, write_tsv
from crossrank.mt.cache import TranslationCache, piece_key
from crossrank.mt.codes import ENGLISH_SOURCES
from crossrank.mt.nllb import NllbSettings, NllbTranslator
from crossrank.mt.segment import pieces

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EnglishText:
    """A document's English text and how many pieces were machine-translated to make it (0: none)."""

    docid: str
    text: str
    pieces: int


def needs_translation(document: Document) -> bool:
    """Whether a document is translated (English and Simple English sources are copied)."""
    return document.lang not in ENGLISH_SOURCES


def shard_documents(documents: Sequence[Document], shard: int, shards: int) -> list[Document]:
    """The documents of one shard: those needing translation, longest first, dealt round-robin.

    Dealing sorted documents in turn gives every shard a similar amount of text, and the same
    documents whatever order the corpus lists them in.
    """
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is not in 0..{shards - 1}")
    todo = sorted((d for d in documents if needs_translation(d)), key=lambda d: (-len(d.text), d.docid))
    return todo[shard::shards]


def translate_documents(
    documents: Sequence[Document], settings: NllbSettings, cache_root: str | os.PathLike[str], shard: int = 0
) -> list[EnglishText]:
    """English translations of ``documents`` (none may be English), in order, from cache or model."""
    translator = NllbTranslator(settings, shard)
    cache = TranslationCache(cache_root, translator.fingerprint())
    log.info("translation cache: %s", cache.directory)
    plans: list[tuple[str, list[bytes]]] = []
    sources: dict[bytes, tuple[str, str]] = {}  # key -> (FLORES-200 code, piece)
    by_lang: dict[str, list[Document]] = {}
    for document in documents:
        if not needs_translation(document):
            raise ValueError(f"document {document.docid!r} is already English ({document.lang}); copy it instead")
        by_lang.setdefault(document.lang, []).append(document)
    for lang, group in by_lang.items():
        code = translator.source_code(lang)

        def count(texts: Sequence[str], code: str = code) -> list[int]:
            return [len(ids) for ids in translator.tokenize(texts, code)]

        for document in tqdm(group, desc=f"segment {lang}", unit="doc"):
            doc_pieces = pieces(document.text, count, settings.max_input_tokens)
            keys = [piece_key(code, piece) for piece in doc_pieces]
            sources.update(zip(keys, ((code, piece) for piece in doc_pieces), strict=True))
            plans.append((document.docid, keys))
    missing = cache.missing(list(sources))
    log.info("%d documents, %d distinct pieces, %d to translate", len(plans), len(sources), len(missing))
    if missing:
        _translate_missing(translator, cache, missing, sources, settings.chunk_size)
    by_docid = {docid: keys for docid, keys in plans}
    return [EnglishText(d.docid, " ".join(cache.get(key) for key in by_docid[d.docid]), len(by_docid[d.docid])) for d in documents]


def _translate_missing(
    translator: NllbTranslator, cache: TranslationCache, missing: list[bytes], sources: dict[bytes, tuple[str, str]], chunk_size: int
) -> None:
    token_ids: dict[bytes, list[int]] = {}
    for code in sorted({sources[key][0] for key in missing}):
        keys = [key for key in missing if sources[key][0] == code]
        token_ids.update(zip(keys, translator.tokenize([sources[key][1] for key in keys], code), strict=True))
    order = sorted(missing, key=lambda key: (-len(token_ids[key]), key))
    started, tokens = time.perf_counter(), 0
    with tqdm(total=len(order), desc="translate", unit="piece") as progress:
        for start in range(0, len(order), chunk_size):
            chunk = order[start : start + chunk_size]
            cache.add(chunk, translator.translate([token_ids[key] for key in chunk], progress=progress))
            tokens += sum(len(token_ids[key]) for key in chunk)
            progress.set_postfix(source_tokens_per_s=f"{tokens / (time.perf_counter() - started):.0f}")
    elapsed = time.perf_counter() - started
    log.info("translated %d pieces (%d source tokens) in %.1f s: %.1f tokens/s", len(order), tokens, elapsed, tokens / elapsed)


SHARD_COLUMNS = ("docid", "pieces", "text")


def write_shard(path: str | os.PathLike[str], translations: Sequence[EnglishText]) -> None:
    """Write one shard's translations (atomically)."""
    write_tsv(path, ((t.docid, t.pieces, t.text) for t in translations), header=SHARD_COLUMNS)


def read_shards(paths: Sequence[str | os.PathLike[str]]) -> dict[str, EnglishText]:
    """Every shard's translations by docid."""
    merged: dict[str, EnglishText] = {}
    for path in paths:
        for _line, (docid, count, text) in read_tsv(path, SHARD_COLUMNS, header=True):
            merged[docid] = EnglishText(docid, text, int(count))
    return merged
