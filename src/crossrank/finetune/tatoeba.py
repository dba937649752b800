"""The phrase level's parallel sentences from Tatoeba, as LASER packages them, for any language pair.

LASER's ``data/tatoeba/v1`` holds, per language, ``tatoeba.{xxx}-eng.{xxx}`` and
``tatoeba.{xxx}-eng.eng`` (ISO 639-3 codes), line i of one translating line i of the other. A
pair with English is read directly; a pair of two other languages (CLIRMatrix's ar-ru) is joined
through English: two sentences whose English translations are the same string are a pair. The
paper draws up to 1,000 pairs per language pair (appendix D.4); LASER's files hold about 1,000
sentences per language, so the cap rarely bites, and pairs joined through English are fewer
(each language's file translates its own English sentences): the step logs every pair's count.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from crossrank.core.contract import base_language
from crossrank.core.errors import InputError
from crossrank.finetune.pairs import TextPair, sample_per_language_pair

log = logging.getLogger(__name__)

ENGLISH = "en"
FIX = "download the LASER Tatoeba test set (github.com/facebookresearch/LASER, data/tatoeba/v1) unchanged."

# The datasets' language codes -> Tatoeba's ISO 639-3 file codes (Chinese is Mandarin, cmn;
# Persian is Iranian Persian, pes; Swahili is swh; Norwegian is Bokmål, nob).
TATOEBA_CODES = {
    "ar": "ara",
    "bg": "bul",
    "bn": "ben",
    "ca": "cat",
    "cs": "ces",
    "da": "dan",
    "de": "deu",
    "el": "ell",
    "es": "spa",
    "et": "est",
    "eu": "eus",
    "fa": "pes",
    "fi": "fin",
    "fr": "fra",
    "he": "heb",
    "hi": "hin",
    "hr": "hrv",
    "hu": "hun",
    "id": "ind",
    "it": "ita",
    "ja": "jpn",
    "ka": "kat",
    "kk": "kaz",
    "ko": "kor",
    "mr": "mar",
    "nl": "nld",
    "nn": "nno",
    "no": "nob",
    "pl": "pol",
    "pt": "por",
    "ro": "ron",
    "ru": "rus",
    "sv": "swe",
    "sw": "swh",
    "te": "tel",
    "tl": "tgl",
    "tr": "tur",
    "uk": "ukr",
    "ur": "urd",
    "vi": "vie",
    "zh": "cmn",
}


def tatoeba_code(lang: str, overrides: Mapping[str, str] | None = None) -> str:
    """The ISO 639-3 code of a dataset language's Tatoeba files; KeyError when neither the table nor ``overrides`` maps it."""
    table = {**TATOEBA_CODES, **(overrides or {})}
    return table[lang]


def phrase_language_pairs(query_languages: Iterable[str], document_languages: Iterable[str]) -> list[tuple[str, str]]:
    """The unordered cross-language pairs a dataset evaluates, as sorted ``(a, b)`` (varieties of one language are one)."""
    pairs = set()
    for query in query_languages:
        for document in document_languages:
            a, b = base_language(query), base_language(document)
            if a != b:
                pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def tatoeba_files(root: str | os.PathLike[str], lang: str, overrides: Mapping[str, str] | None = None) -> list[Path]:
    """The two files of one language's Tatoeba pairs with English (none for English itself)."""
    if lang == ENGLISH:
        return []
    code = tatoeba_code(lang, overrides)
    return [Path(root) / f"tatoeba.{code}-eng.{code}", Path(root) / f"tatoeba.{code}-eng.eng"]


def read_tatoeba(directory: str | os.PathLike[str], code: str, lang: str) -> list[TextPair]:
    """One language's Tatoeba pairs with English, line i with line i (``lang`` on side a, English on side b).

    ``code`` is the ISO 639-3 code of the files, ``lang`` the dataset's code for that language.
    Files of different lengths, or an empty line on one side only, stop with the file and line.
    """
    base = Path(directory)
    source, english = base / f"tatoeba.{code}-eng.{code}", base / f"tatoeba.{code}-eng.eng"
    for path in (source, english):
        if not path.is_file():
            raise InputError(path, "file not found.", fix=FIX)
    left = source.read_text(encoding="utf-8").splitlines()
    right = english.read_text(encoding="utf-8").splitlines()
    if len(left) != len(right):
        shorter = source if len(left) < len(right) else english
        raise InputError(shorter, f"has {min(len(left), len(right))} lines, its parallel file {max(len(left), len(right))}.", fix=FIX)
    pairs = []
    for number, (text, translation) in enumerate(zip(left, right, strict=True), start=1):
        if bool(text.strip()) != bool(translation.strip()):
            empty = source if not text.strip() else english
            raise InputError(empty, "empty line where its parallel file has a sentence.", line=number, fix=FIX)
        if text.strip():
            english_text = " ".join(translation.split())
            pairs.append(TextPair(sentence_id(english_text), lang, " ".join(text.split()), ENGLISH, english_text))
    return pairs


def sentence_id(english: str) -> str:
    """A pair's id: its English sentence (hashed), shared by every pair that translates it.

    Held-out validation takes whole ids, so a sentence held out for de-en is held out for de-fr
    (joined through the same English) too, and never trains under another language pair.
    """
    return "tatoeba." + hashlib.sha256(english.encode("utf-8")).hexdigest()[:16]


def tatoeba_pairs(
    root: str | os.PathLike[str],
    language_pairs: Sequence[tuple[str, str]],
    per_pair: int,
    seed: int,
    overrides: Mapping[str, str] | None = None,
) -> list[TextPair]:
    """At most ``per_pair`` Tatoeba pairs (seeded) for each of ``language_pairs``, non-English pairs joined through English."""
    with_english = {}
    for lang in sorted({lang for pair in language_pairs for lang in pair} - {ENGLISH}):
        with_english[lang] = read_tatoeba(root, tatoeba_code(lang, overrides), lang)
    pairs: list[TextPair] = []
    for a, b in language_pairs:
        if ENGLISH in (a, b):
            other = b if a == ENGLISH else a
            pairs += with_english[other]
        else:
            pairs += _through_english(with_english[a], with_english[b])
    drawn = sample_per_language_pair(pairs, per_pair, seed)
    counts = Counter(pair.languages for pair in drawn)
    for a, b in language_pairs:
        found = counts[f"{a}-{b}"] + counts[f"{b}-{a}"]
        if found < per_pair:
            log.warning("Tatoeba: %d pairs for %s-%s (up to %d wanted)", found, a, b, per_pair)
        else:
            log.info("Tatoeba: %d pairs for %s-%s", found, a, b)
    return drawn


def _through_english(left: Sequence[TextPair], right: Sequence[TextPair]) -> list[TextPair]:
    """Pairs of ``left`` and ``right`` sentences that translate the same English sentence (the first of each)."""
    by_english: dict[str, list[TextPair]] = defaultdict(list)
    for pair in right:
        by_english[pair.text_b].append(pair)
    joined, used = [], set()
    for pair in left:
        if pair.text_b in by_english and pair.text_b not in used:
            used.add(pair.text_b)
            other = by_english[pair.text_b][0]
            joined.append(TextPair(pair.pair_id, pair.lang_a, pair.text_a, other.lang_a, other.text_a))
    return joined
