"""The word level's training data: pairs of contexts of one target word, labelled same sense (1) or not (0).

Three releases, each read in its own format (see ``docs`` in the README, "Fine-tuning data"):

- **XL-WiC** (Raganato et al. 2020), the unzipped ``xlwic_datasets/``: English WiC under
  ``wic_english/{train,valid}_en.txt``; Wiktionary languages (de, fr, it) under
  ``xlwic_wikt/{name}_{code}/{code}_{train,valid}.txt`` plus a test split; WordNet languages (bg,
  da, et, fa, hr, ja, ko, nl, zh) under ``xlwic_wn/{name}_{code}/`` with validation and test
  only. Lines: ``target_word, PoS, start1, end1, start2, end2, example_1, example_2, label``
  (label 1/0); test splits keep the labels apart, ``{code}_test_data.txt`` (8 columns) and
  ``{code}_test_gold.txt`` (one label per line).
- **AM2iCo** (Liu et al. 2021), the repository's ``data/``: ``{code}/{train,dev,test}.tsv`` with a
  ``context1, context2, label`` header, a target-language context and an English one, the target
  word marked ``<word>...</word>``, labels ``T``/``F``. Its pairs are cross-lingual.
- **SenWiCh** (Goworek et al. 2025), its WiC-style files ``{Language}_{train,dev,test}.data``
  (e.g. ``Polish_train.data``): a JSON list of objects with ``lemma, sentence1, sentence2,
  start1, end1, start2, end2, label`` (label 1/0) and sentence ids.

Texts keep the sentences whole (markers removed, whitespace collapsed): the encoder embeds the
context, as the paper's sentence encoders do, with no span pooling or adapter.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from crossrank.core.errors import InputError
from crossrank.finetune.pairs import TextPair

WORD_SOURCES = ("xlwic", "am2ico", "senwich")
SPLITS = ("train", "dev", "test")

# XL-WiC: language -> (folder kind, folder name), and the splits each kind releases.
_XLWIC_FOLDERS = {
    "en": ("wic_english", ""),
    **{code: ("xlwic_wikt", f"{name}_{code}") for code, name in (("de", "german"), ("fr", "french"), ("it", "italian"))},
    **{
        code: ("xlwic_wn", f"{name}_{code}")
        for code, name in (
            ("bg", "bulgarian"),
            ("da", "danish"),
            ("et", "estonian"),
            ("fa", "farsi"),
            ("hr", "croatian"),
            ("ja", "japanese"),
            ("ko", "korean"),
            ("nl", "dutch"),
            ("zh", "chinese"),
        )
    },
}
_XLWIC_SPLITS = {"wic_english": ("train", "dev"), "xlwic_wikt": ("train", "dev", "test"), "xlwic_wn": ("dev", "test")}
_AM2ICO_LANGUAGES = ("ar", "bn", "de", "eu", "fi", "id", "ja", "ka", "kk", "ko", "ru", "tr", "ur", "zh")
_SENWICH_LANGUAGES = {
    "az": "Azerbaijani",
    "bg": "Bulgarian",
    "kn": "Kannada",
    "ko": "Korean",
    "mr": "Marathi",
    "pa": "Punjabi",
    "pl": "Polish",
    "sw": "Swahili",
    "te": "Telugu",
    "ur": "Urdu",
    "vi": "Vietnamese",
}
_WHERE = {
    "xlwic": "download xlwic_datasets.zip from pilehvar.github.io/xlwic and unzip it unchanged",
    "am2ico": "clone github.com/cambridgeltl/AM2iCo and point the setting at its data/ directory",
    "senwich": "download the SenWiCh WiC-style files (arXiv 2505.23714) unchanged",
}
_WORD_MARK = re.compile(r"</?word>")


@dataclass(frozen=True)
class WordFile:
    """One file a word-level source reads for a language and split (two for XL-WiC's test split: data, gold)."""

    source: str
    lang: str
    split: str
    paths: tuple[Path, ...]


def languages_of(source: str) -> tuple[str, ...]:
    """The languages a word-level release covers (AM2iCo: each paired with English)."""
    if source == "xlwic":
        return tuple(sorted(_XLWIC_FOLDERS))
    if source == "am2ico":
        return _AM2ICO_LANGUAGES
    if source == "senwich":
        return tuple(sorted(_SENWICH_LANGUAGES))
    raise ValueError(f"unknown word-level source {source!r}; use one of {', '.join(WORD_SOURCES)}")


def word_files(source: str, root: str | os.PathLike[str], lang: str, splits: tuple[str, ...] | list[str]) -> list[WordFile]:
    """The files ``source`` releases for ``lang`` among ``splits`` (a split the release lacks for that language is left out)."""
    base = Path(root)
    found = []
    for split in splits:
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
        if source == "xlwic":
            kind, folder = _XLWIC_FOLDERS[lang]
            if split not in _XLWIC_SPLITS[kind]:
                continue
            raw = "valid" if split == "dev" else split
            if kind == "wic_english":
                paths: tuple[Path, ...] = (base / kind / f"{raw}_en.txt",)
            elif split == "test":
                paths = (base / kind / folder / f"{lang}_test_data.txt", base / kind / folder / f"{lang}_test_gold.txt")
            else:
                paths = (base / kind / folder / f"{lang}_{raw}.txt",)
        elif source == "am2ico":
            paths = (base / lang / f"{split}.tsv",)
        elif source == "senwich":
            paths = (base / f"{_SENWICH_LANGUAGES[lang]}_{split}.data",)
        else:
            languages_of(source)  # raises the unknown-source error
            raise AssertionError
        found.append(WordFile(source, lang, split, paths))
    return found


def missing_files(files: list[WordFile]) -> list[str]:
    """One ``path (fix)`` line for each file of ``files`` that is not on disk."""
    return [f"{path} (fix: {_WHERE[f.source]})" for f in files for path in f.paths if not path.is_file()]


def read_word_file(file: WordFile) -> list[TextPair]:
    """The labelled context pairs of one release file, ``TextPair.label`` 1 for the same sense and 0 for another."""
    for path in file.paths:
        if not path.is_file():
            raise InputError(path, "file not found.", fix=f"{_WHERE[file.source]}.")
    if file.source == "xlwic":
        return _read_xlwic(file)
    if file.source == "am2ico":
        return _read_am2ico(file)
    return _read_senwich(file)


def _clean(text: str) -> str:
    return " ".join(_WORD_MARK.sub("", text).split())


def _label(path: Path, line: int, value: str, positive: str, negative: str, source: str) -> int:
    if value == positive:
        return 1
    if value == negative:
        return 0
    raise InputError(path, f"label {value!r} is neither {positive!r} nor {negative!r}.", line=line, fix=f"{_WHERE[source]}.")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()  # a byte-order mark is not part of the first field


def _read_xlwic(file: WordFile) -> list[TextPair]:
    data = file.paths[0]
    lines = _lines(data)
    gold = _lines(file.paths[1]) if len(file.paths) > 1 else None
    columns = 8 if gold is not None else 9
    if gold is not None and len(gold) != len(lines):
        raise InputError(file.paths[1], f"has {len(gold)} labels for the {len(lines)} lines of {data}.", fix=f"{_WHERE['xlwic']}.")
    pairs = []
    for number, line in enumerate(lines, start=1):
        fields = line.split("\t")
        if len(fields) != columns:
            raise InputError(
                data,
                f"has {len(fields)} tab-separated fields, expected {columns} (target_word, PoS, start1, end1, start2, end2, "
                f"example_1, example_2{', label' if columns == 9 else ''}).",
                line=number,
                fix=f"{_WHERE['xlwic']}.",
            )
        label_path, label_value = (data, fields[8]) if gold is None else (file.paths[1], gold[number - 1].strip())
        label = _label(label_path, number, label_value, "1", "0", "xlwic")
        pair_id = f"xlwic.{file.lang}.{file.split}.{number}"
        pairs.append(TextPair(pair_id, file.lang, _clean(fields[6]), file.lang, _clean(fields[7]), label))
    return pairs


def _read_am2ico(file: WordFile) -> list[TextPair]:
    path = file.paths[0]
    pairs = []
    for number, line in enumerate(_lines(path), start=1):
        fields = line.split("\t")
        if number == 1 and [f.strip().casefold() for f in fields] == ["context1", "context2", "label"]:
            continue
        if len(fields) != 3:
            message = f"has {len(fields)} tab-separated fields, expected 3 (context1, context2, label)."
            raise InputError(path, message, line=number, fix=f"{_WHERE['am2ico']}.")
        label = _label(path, number, fields[2].strip(), "T", "F", "am2ico")
        pairs.append(TextPair(f"am2ico.{file.lang}.{file.split}.{number}", file.lang, _clean(fields[0]), "en", _clean(fields[1]), label))
    return pairs


def _read_senwich(file: WordFile) -> list[TextPair]:
    path = file.paths[0]
    try:
        records = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise InputError(path, f"is not valid JSON ({error.msg}).", line=error.lineno, fix=f"{_WHERE['senwich']}.") from None
    if not isinstance(records, list):
        raise InputError(path, "holds no JSON list of WiC pairs.", fix=f"{_WHERE['senwich']}.")
    pairs = []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict) or not {"sentence1", "sentence2", "label"} <= set(record):
            raise InputError(path, f"pair {index} lacks sentence1, sentence2 or label.", fix=f"{_WHERE['senwich']}.")
        if str(record["label"]) not in ("0", "1"):
            raise InputError(path, f"pair {index} has label {record['label']!r}, neither 1 nor 0.", fix=f"{_WHERE['senwich']}.")
        label = int(record["label"])
        pair_id = f"senwich.{file.lang}.{file.split}.{index}"
        pairs.append(TextPair(pair_id, file.lang, _clean(str(record["sentence1"])), file.lang, _clean(str(record["sentence2"])), label))
    return pairs
