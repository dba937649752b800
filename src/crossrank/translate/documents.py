"""Whole documents through NLLB: segment, look up the cache, translate what is missing, join.

Work is cut in chunks of ``chunk_size`` pieces, longest first; each chunk is stored in the
cache before the next starts, so a killed job resumes where it stopped. Shards split a corpus's
distinct pieces between jobs (several GPUs, SLURM nodes); every shard writes into the same
cache and its own shard file, and the merge segments the documents again (tokenizer only) and
joins each document's pieces from the shard files.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tqdm import tqdm

from crossrank.core.cache_store import key_shard
from crossrank.core.contract import Document
from crossrank.core.io import read_tsv, write_tsv
from crossrank.translate.cache import TranslationCache, piece_key
from crossrank.translate.codes import ENGLISH_SOURCES
from crossrank.translate.nllb import NllbSettings, NllbTranslator
from crossrank.translate.segment import document_pieces, pieces

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


@dataclass(frozen=True)
class Segmented:
    """A corpus cut into pieces: each document's piece keys, and each distinct piece's source."""

    keys: dict[str, list[bytes]]  # docid -> piece keys, in document order
    sources: dict[bytes, tuple[str, str]]  # key -> (FLORES-200 code, piece)


def segment_documents(documents: Sequence[Document], translator: NllbTranslator) -> Segmented:
    """Cut every document into pieces with the translator's tokenizer (the model is not loaded).

    ``segmentation`` sentence: a piece per sentence, a long one halved until it fits;
    document: the whole document as one piece, truncated to ``max_input_tokens``.
    """
    segmented = Segmented({}, {})
    by_lang: dict[str, list[Document]] = {}
    for document in documents:
        if not needs_translation(document):
            raise ValueError(f"document {document.docid!r} is already English ({document.lang}); copy it instead")
        by_lang.setdefault(document.lang, []).append(document)
    for lang, group in by_lang.items():
        code = translator.source_code(lang)

        def count(texts: Sequence[str], code: str = code) -> list[int]:
            return [len(ids) for ids in translator.tokenize(texts, code)]

        def truncate(text: str, code: str = code) -> str:
            return translator.truncate(text, code, translator.settings.max_input_tokens)

        for document in tqdm(group, desc=f"segment {lang}", unit="doc"):
            if translator.settings.segmentation == "document":
                doc_pieces = document_pieces(document.text, truncate)
            else:
                doc_pieces = pieces(document.text, count, translator.settings.max_input_tokens)
            keys = [piece_key(code, piece) for piece in doc_pieces]
            segmented.sources.update(zip(keys, ((code, piece) for piece in doc_pieces), strict=True))
            segmented.keys[document.docid] = keys
    return segmented


def translate_pieces(
    documents: Sequence[Document], settings: NllbSettings, cache_root: str | os.PathLike[str], shard: int = 0, shards: int = 1
) -> dict[bytes, str]:
    """Translations of the distinct pieces of ``documents`` that fall to ``shard``, from cache or model.

    Pieces, not documents, are dealt to shards (by key): a sentence shared by documents of two
    shards is translated once, so its translation is the same in every document, however the
    jobs are timed.
    """
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is not in 0..{shards - 1}")
    translator = NllbTranslator(settings, shard)
    return _translate_shard(translator, segment_documents(documents, translator), cache_root, shard, shards)


def _translate_shard(
    translator: NllbTranslator, segmented: Segmented, cache_root: str | os.PathLike[str], shard: int, shards: int
) -> dict[bytes, str]:
    cache = TranslationCache(cache_root, translator.fingerprint())
    log.info("translation cache: %s", cache.directory)
    mine = [key for key in segmented.sources if key_shard(key, shards) == shard]
    missing = cache.missing(mine)
    log.info(
        "%d documents, %d distinct pieces, %d in this shard, %d to translate",
        len(segmented.keys),
        len(segmented.sources),
        len(mine),
        len(missing),
    )
    if missing:
        _translate_missing(translator, cache, missing, segmented.sources, translator.settings.chunk_size)
    return {key: cache.get(key) for key in mine}


def join_pieces(segmented: Segmented, translations: Mapping[bytes, str], documents: Sequence[Document]) -> list[EnglishText]:
    """Each document's English text: its pieces' translations joined in order."""
    return [
        EnglishText(d.docid, " ".join(translations[key] for key in segmented.keys[d.docid]), len(segmented.keys[d.docid]))
        for d in documents
    ]


def translate_documents(documents: Sequence[Document], settings: NllbSettings, cache_root: str | os.PathLike[str]) -> list[EnglishText]:
    """English translations of ``documents`` (none may be English), in order, in one process."""
    translator = NllbTranslator(settings)
    segmented = segment_documents(documents, translator)
    return join_pieces(segmented, _translate_shard(translator, segmented, cache_root, 0, 1), documents)


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


SHARD_COLUMNS = ("key", "text")


def write_shard(path: str | os.PathLike[str], translations: Mapping[bytes, str]) -> None:
    """Write one shard's piece translations (atomically)."""
    write_tsv(path, ((key.decode("ascii"), text) for key, text in sorted(translations.items())), header=SHARD_COLUMNS)


def read_shards(paths: Sequence[str | os.PathLike[str]]) -> dict[bytes, str]:
    """Every shard's piece translations by key."""
    merged: dict[bytes, str] = {}
    for path in paths:
        for _line, (key, text) in read_tsv(path, SHARD_COLUMNS, header=True):
            merged[key.encode("ascii")] = text
    return merged
