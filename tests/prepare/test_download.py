"""release_export: ir_datasets records written in each release's own layout, read back by the protocols.

A fake ``ir_datasets.load`` serves the real ir_datasets record types (GenericDoc, GenericQuery,
TrecQrel, WikiClirQuery, WikiClirDoc), filled from the tiny releases of ``tests/releases.py``
under the ids ir_datasets gives them, and records every id it is asked for. Nothing is
downloaded: an id the fake does not know raises KeyError.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from ir_datasets.datasets.wikiclir import WikiClirDoc, WikiClirQuery
from ir_datasets.formats import GenericDoc, GenericDocPair, GenericQuery, TrecQrel
from releases import LARGESCALE_DIRECTORIES, write_clirmatrix, write_largescale_full, write_mmarco

from crossrank.core.errors import ConfigError, InputError
from crossrank.core.io import scan_keyed_tsv
from crossrank.prepare.download import export_release
from crossrank.prepare.prepared import PreparedDataset
from crossrank.prepare.readers import clirmatrix, mmarco, wikiclir
from crossrank.prepare.registry import protocol

DATASETS = ("clirmatrix", "mmarco", "largescale")
PARAMS: dict[str, dict[str, Any]] = {
    "clirmatrix": {"languages": ["de", "en", "ja"], "queries_per_pair": 10, "train_queries_per_pair": 5},
    "mmarco": {"languages": ["de", "en", "nl", "zh"], "train_queries_per_pair": 3},
    # 4 of the 14 queries per language leave some queries unevaluated, hence training pairs.
    "largescale": {"languages": ["de", "ja", "simple"], "release": "full", "queries_per_pair": 4, "train_queries_per_pair": 3},
}
CLIRMATRIX_SPLITS = ("test1", "train")
MMARCO_IDS = {"de": "mmarco/v2/de", "en": "msmarco-passage", "nl": "mmarco/v2/dt", "zh": "mmarco/v2/zh"}
WIKICLIR_IDS = {"de": "wikiclir/de", "ja": "wikiclir/ja", "simple": "wikiclir/en-simple"}


# --- A stand-in for ir_datasets.load -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeDataset:
    """What ``ir_datasets.load(dataset_id)`` returns, holding only the parts the export should read."""

    dataset_id: str
    docs: tuple[NamedTuple, ...] | None = None
    queries: tuple[NamedTuple, ...] | None = None
    qrels: tuple[TrecQrel, ...] | None = None
    docpairs: tuple[GenericDocPair, ...] | None = None

    def _iter(self, kind: str, items: tuple[Any, ...] | None) -> Iterator[Any]:
        if items is None:
            raise NotImplementedError(f"the export read the {kind} of {self.dataset_id!r}, which it has no reason to")
        return iter(items)

    def docs_iter(self) -> Iterator[Any]:
        return self._iter("docs", self.docs)

    def queries_iter(self) -> Iterator[Any]:
        return self._iter("queries", self.queries)

    def qrels_iter(self) -> Iterator[TrecQrel]:
        return self._iter("qrels", self.qrels)

    def docpairs_iter(self) -> Iterator[GenericDocPair]:
        return self._iter("docpairs", self.docpairs)


class FakeLoad:
    """``ir_datasets.load`` over a fixed set of ids; ``requested`` lists every id asked for, in order."""

    def __init__(self, datasets: Mapping[str, FakeDataset]):
        self.datasets = datasets
        self.requested: list[str] = []

    def __call__(self, dataset_id: str) -> FakeDataset:
        self.requested.append(dataset_id)
        if dataset_id not in self.datasets:
            raise KeyError(f"unknown ir_datasets id {dataset_id!r}")
        return self.datasets[dataset_id]


def _qrels_in_file_order(judged: Mapping[str, Mapping[str, tuple[int, int]]]) -> tuple[TrecQrel, ...]:
    """``{qid: {doc: (label, line)}}`` back to TrecQrels in the order of the file's lines."""
    rows = sorted((line, qid, doc, label) for qid, docs in judged.items() for doc, (label, line) in docs.items())
    return tuple(TrecQrel(qid, doc, label, "0") for _, qid, doc, label in rows)


def clirmatrix_datasets(root: Path, languages: list[str]) -> dict[str, FakeDataset]:
    """``clirmatrix/{doc_lang}/multi8/{query_lang}/{split}`` (queries, qrels) and ``clirmatrix/{lang}`` (docs)."""
    datasets = {}
    for q in languages:
        for d in [lang for lang in languages if lang != q]:
            for split in CLIRMATRIX_SPLITS:
                dataset_id = f"clirmatrix/{d}/multi8/{q}/{split}"
                records = list(clirmatrix.read_queries(root / "MULTI-8" / q / f"{q}.{d}.{split}.jl.gz"))
                datasets[dataset_id] = FakeDataset(
                    dataset_id,
                    queries=tuple(GenericQuery(r.qid, r.text) for r in records),
                    qrels=tuple(TrecQrel(r.qid, doc, label, "0") for r in records for doc, label in r.judgments.items()),
                )
    for lang in languages:
        documents = clirmatrix.read_documents(root / "DOCS" / f"{lang}.tsv.gz")
        datasets[f"clirmatrix/{lang}"] = FakeDataset(f"clirmatrix/{lang}", docs=tuple(GenericDoc(i, t) for i, t in documents.items()))
    return datasets


def mmarco_datasets(root: Path, languages: list[str]) -> dict[str, FakeDataset]:
    """``mmarco/v2/{code}`` (Dutch ``dt``) or ``msmarco-passage`` for English, ``.../dev`` and ``.../train``; shared qrels."""

    def rows(path: Path) -> list[tuple[str, str]]:
        return [(key, text) for _, (key, text) in scan_keyed_tsv(path, ("id", "text"))]

    dev_qrels = _qrels_in_file_order(mmarco.read_judgments(root / "qrels.dev.small.tsv"))
    train_qrels = _qrels_in_file_order(mmarco.read_judgments(root / "qrels.train.tsv"))
    datasets = {"msmarco-passage/dev/small": FakeDataset("msmarco-passage/dev/small", qrels=dev_qrels)}
    for lang in sorted({*languages, "en"}):
        base, name = MMARCO_IDS[lang], mmarco.language_name(lang)
        datasets[base] = FakeDataset(base, docs=tuple(GenericDoc(*row) for row in rows(root / "collections" / f"{name}_collection.tsv")))
        for split in ("dev", "train"):
            queries = tuple(GenericQuery(*row) for row in rows(root / "queries" / split / f"{name}_queries.{split}.tsv"))
            datasets[f"{base}/{split}"] = FakeDataset(f"{base}/{split}", queries=queries)
    datasets["msmarco-passage/train"] = replace(datasets["msmarco-passage/train"], qrels=train_qrels)
    triples = tuple(GenericDocPair(*line.split("\t")) for line in (root / "triples.train.ids.small.tsv").read_text().splitlines())
    datasets["msmarco-passage/train/triples-small"] = FakeDataset("msmarco-passage/train/triples-small", docpairs=triples)
    return datasets


def largescale_datasets(root: Path, languages: list[str]) -> dict[str, FakeDataset]:
    """``wikiclir/{lang}`` (``en-simple``): the English queries judged in that language, its documents, 3-column qrels."""
    queries = [WikiClirQuery(*row) for row in wikiclir.read_full_table(root / "wiki-clir" / "english" / "wiki_en.queries")]
    datasets = {}
    for lang in languages:
        directory = root / "wiki-clir" / LARGESCALE_DIRECTORIES[lang]
        judged = wikiclir.read_full_qrels(directory / f"en2{lang}.rel")
        datasets[WIKICLIR_IDS[lang]] = FakeDataset(
            WIKICLIR_IDS[lang],
            docs=tuple(WikiClirDoc(*row) for row in wikiclir.read_full_table(directory / f"wiki_{lang}.documents")),
            queries=tuple(q for q in queries if q.query_id in judged),
            qrels=_qrels_in_file_order(judged),
        )
    return datasets


WRITERS: dict[str, Callable[[Path, list[str]], Any]] = {
    "clirmatrix": write_clirmatrix,
    "mmarco": write_mmarco,
    "largescale": write_largescale_full,
}
BUILDERS: dict[str, Callable[[Path, list[str]], dict[str, FakeDataset]]] = {
    "clirmatrix": clirmatrix_datasets,
    "mmarco": mmarco_datasets,
    "largescale": largescale_datasets,
}


@dataclass
class Release:
    """A fixture release on disk and the fake ir_datasets view of it."""

    dataset: str
    root: Path
    datasets: dict[str, FakeDataset]

    @property
    def params(self) -> dict[str, Any]:
        return PARAMS[self.dataset]

    def loader(self) -> FakeLoad:
        return FakeLoad(self.datasets)

    def export(self, target: Path, load: FakeLoad, params: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
        return export_release(self.dataset, self.params if params is None else params, target, load=load)

    def prepare(self, root: Path, params: Mapping[str, Any] | None = None) -> PreparedDataset:
        found = protocol(self.dataset)
        return found.prepare(found.settings(self.params if params is None else params, root))

    @cached_property
    def files(self) -> list[str]:
        """The files the protocol reads, relative to the release root."""
        found = protocol(self.dataset)
        return found.raw_files(found.settings(self.params, self.root))

    @cached_property
    def direct(self) -> PreparedDataset:
        """The fixture release prepared where it lies (the reference)."""
        return self.prepare(self.root)


@pytest.fixture(scope="session")
def fixture_releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Release]:
    base = tmp_path_factory.mktemp("releases")
    for dataset in DATASETS:
        WRITERS[dataset](base / dataset, PARAMS[dataset]["languages"])
    return {
        dataset: Release(dataset, base / dataset, BUILDERS[dataset](base / dataset, PARAMS[dataset]["languages"])) for dataset in DATASETS
    }


@pytest.fixture(params=DATASETS)
def release(request: pytest.FixtureRequest, fixture_releases: dict[str, Release]) -> Release:
    return fixture_releases[request.param]


# --- Helpers -------------------------------------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """``{relative path: (inode, mtime_ns, size)}`` of every file under ``root``, hidden ones included.

    Files are written atomically (a new file renamed into place), so a rewritten file gets a new inode.
    """
    return {str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()}


def text_lines(path: Path) -> list[str]:
    """A file's lines (gunzipped for ``.gz``), split on every line boundary Python knows."""
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.decode("utf-8").splitlines()


def assert_same_prepared(got: PreparedDataset, want: PreparedDataset) -> None:
    assert got.documents == want.documents
    assert got.topics == want.topics
    assert got.qrels == want.qrels
    assert got.query_documents == want.query_documents
    assert got.training_candidates == want.training_candidates
    assert got.oracle_english == want.oracle_english
    assert got.statistics == want.statistics


def dirty(text: str) -> str:
    """``text`` with its spaces turned into tabs and line breaks, framed by a tab and a newline."""
    return "\t" + text.replace(" ", "\t\r\n ") + "\n"


def dirtied(datasets: Mapping[str, FakeDataset]) -> dict[str, FakeDataset]:
    """The same records with every TSV-bound text dirtied (CLIRMatrix query texts go to JSON, verbatim, so they are kept)."""

    def fix(record: Any) -> Any:
        return record._replace(**{f: dirty(getattr(record, f)) for f in ("title", "text", "first_sent") if f in record._fields})

    out = {}
    for dataset_id, data in datasets.items():
        docs = None if data.docs is None else tuple(fix(d) for d in data.docs)
        queries = data.queries if data.queries is None or dataset_id.startswith("clirmatrix/") else tuple(fix(q) for q in data.queries)
        out[dataset_id] = replace(data, docs=docs, queries=queries)
    return out


# --- Tests ---------------------------------------------------------------------------------------------------------------


def test_exported_release_prepares_like_the_release_itself(release: Release, tmp_path: Path):
    assert release.direct.topics and release.direct.query_documents, "the reference must have topics and training pairs"
    if release.dataset != "largescale":  # CLIRMatrix's label-0 results and mMARCO's triples travel too
        assert release.direct.training_candidates, "the reference must have training candidates"
    target = tmp_path / release.dataset
    rows = release.export(target, release.loader())
    assert sorted(name for name, _ in rows) == sorted(release.files)
    exported = {name: dataset_id for name, dataset_id in (line.split("\t") for line in text_lines(target / ".exported.tsv"))}
    assert exported == dict(rows), "every file is recorded with the id it came from"
    assert sorted(snapshot(target)) == sorted([*release.files, ".exported.tsv"]), "exactly the protocol's files, no temporary leftovers"
    assert_same_prepared(release.prepare(target), release.direct)


CLIRMATRIX_PAIRS = [("de", "en"), ("de", "ja"), ("en", "de"), ("en", "ja"), ("ja", "de"), ("ja", "en")]
EXPECTED_IDS = {
    "clirmatrix": {f"clirmatrix/{d}/multi8/{q}/{s}" for q, d in CLIRMATRIX_PAIRS for s in CLIRMATRIX_SPLITS}
    | {"clirmatrix/de", "clirmatrix/en", "clirmatrix/ja"},
    "mmarco": {
        "msmarco-passage",
        "msmarco-passage/dev",
        "msmarco-passage/train",
        "msmarco-passage/dev/small",
        "msmarco-passage/train/triples-small",
        "mmarco/v2/de",
        "mmarco/v2/de/dev",
        "mmarco/v2/de/train",
        "mmarco/v2/dt",
        "mmarco/v2/dt/dev",
        "mmarco/v2/dt/train",
        "mmarco/v2/zh",
        "mmarco/v2/zh/dev",
        "mmarco/v2/zh/train",
    },
    "largescale": {"wikiclir/de", "wikiclir/ja", "wikiclir/en-simple"},
}
EXPECTED_ROWS = {
    "clirmatrix": [
        ("MULTI-8/de/de.en.test1.jl.gz", "clirmatrix/en/multi8/de/test1"),  # German queries, English documents
        ("MULTI-8/ja/ja.de.train.jl.gz", "clirmatrix/de/multi8/ja/train"),
        ("DOCS/ja.tsv.gz", "clirmatrix/ja"),
    ],
    "mmarco": [
        ("queries/dev/dutch_queries.dev.tsv", "mmarco/v2/dt/dev"),
        ("collections/dutch_collection.tsv", "mmarco/v2/dt"),
        ("queries/train/english_queries.train.tsv", "msmarco-passage/train"),
        ("collections/english_collection.tsv", "msmarco-passage"),
        ("qrels.dev.small.tsv", "msmarco-passage/dev/small"),
        ("qrels.train.tsv", "msmarco-passage/train"),
        ("triples.train.ids.small.tsv", "msmarco-passage/train/triples-small"),
    ],
    "largescale": [
        ("wiki-clir/simple_english/wiki_simple.documents", "wikiclir/en-simple"),
        ("wiki-clir/simple_english/en2simple.rel", "wikiclir/en-simple"),
        ("wiki-clir/german/en2de.rel", "wikiclir/de"),
    ],
}


def test_requested_ids_follow_ir_datasets_naming(release: Release, tmp_path: Path):
    load = release.loader()
    rows = release.export(tmp_path, load)
    assert set(load.requested) == EXPECTED_IDS[release.dataset]
    for row in EXPECTED_ROWS[release.dataset]:
        assert row in rows


def test_clirmatrix_pair_files_hold_the_pair_asked_document_language_first(fixture_releases: dict[str, Release], tmp_path: Path):
    """All ordered pairs are asked for, so the id set alone cannot tell a swap: the files' contents do."""
    release = fixture_releases["clirmatrix"]
    release.export(tmp_path, release.loader())
    for name in release.files:
        if name.startswith("MULTI-8/"):
            assert [json.loads(line) for line in text_lines(tmp_path / name)] == [
                json.loads(line) for line in text_lines(release.root / name)
            ], name


def test_second_export_rewrites_nothing(release: Release, tmp_path: Path):
    release.export(tmp_path, release.loader())
    before = snapshot(tmp_path)
    load = release.loader()
    rows = release.export(tmp_path, load)
    assert snapshot(tmp_path) == before
    assert sorted(name for name, _ in rows) == sorted(release.files)
    if release.dataset != "largescale":  # largescale reads every language's queries to rebuild the shared queries file
        assert load.requested == []


DELETED = {
    "clirmatrix": ("MULTI-8/ja/ja.de.train.jl.gz", ["clirmatrix/de/multi8/ja/train"]),
    "mmarco": ("queries/dev/dutch_queries.dev.tsv", ["mmarco/v2/dt/dev"]),
    "largescale": ("wiki-clir/simple_english/wiki_simple.documents", None),
}


def test_a_deleted_file_alone_is_exported_again(release: Release, tmp_path: Path):
    name, expected_ids = DELETED[release.dataset]
    release.export(tmp_path, release.loader())
    before, lines = snapshot(tmp_path), text_lines(tmp_path / name)
    (tmp_path / name).unlink()
    load = release.loader()
    release.export(tmp_path, load)
    after = snapshot(tmp_path)
    assert sorted(after) == sorted(before)
    assert {path for path in after if after[path] != before[path]} == {name}
    assert text_lines(tmp_path / name) == lines
    if expected_ids is not None:
        assert load.requested == expected_ids


def test_tabs_and_newlines_in_texts_become_spaces(release: Release, tmp_path: Path):
    datasets = dirtied(release.datasets)
    assert any("\t" in d.docs[0][-1] for d in datasets.values() if d.docs), "the records must be dirty"
    release.export(tmp_path, FakeLoad(datasets))
    for name in release.files:
        got, want = text_lines(tmp_path / name), text_lines(release.root / name)
        assert [line.count("\t") for line in got] == [line.count("\t") for line in want], f"{name}: one line per record, same columns"
    assert_same_prepared(release.prepare(tmp_path), release.direct)


@pytest.mark.parametrize(
    ("dataset", "change", "message"),
    [
        ("largescale", {"release": "split"}, "'largescale'.*release: full"),
        ("mmarco", {"split": "test"}, "'mmarco'.*split must be 'dev'"),
        ("mmarco", {"train_split": "eval"}, "'mmarco'.*train_split 'train'"),
    ],
)
def test_settings_ir_datasets_cannot_serve_are_refused(
    fixture_releases: dict[str, Release], tmp_path: Path, dataset: str, change: dict[str, str], message: str
):
    release = fixture_releases[dataset]
    load = release.loader()
    with pytest.raises(ConfigError, match=message):
        release.export(tmp_path / "out", load, params={**release.params, **change})
    assert load.requested == []
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_clirmatrix_files_are_gzipped_json_lines_and_tsv(fixture_releases: dict[str, Release], tmp_path: Path):
    release = fixture_releases["clirmatrix"]
    release.export(tmp_path, release.loader())
    labels = set()
    for name in release.files:
        path = tmp_path / name
        assert path.read_bytes()[:2] == b"\x1f\x8b", f"{name} is not gzip"
        if name.startswith("DOCS/"):
            assert all(len(line.split("\t")) == 2 for line in text_lines(path))
            continue
        for line in text_lines(path):
            record = json.loads(line)
            assert set(record) == {"src_id", "src_query", "tgt_results"}
            assert isinstance(record["src_id"], str) and isinstance(record["src_query"], str)
            for pair in record["tgt_results"]:
                assert isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) and type(pair[1]) is int
                labels.add(pair[1])
    assert 0 in labels and 6 in labels, "label-0 judgments are kept"


def test_qrels_are_trec_files_of_the_release_shape(fixture_releases: dict[str, Release], tmp_path: Path):
    """mMARCO's shared qrels: ``qid 0 pid rel``; Large-Scale's ``en2{lang}.rel``: ``qid docid rel``."""
    shapes = {"mmarco": ["qrels.dev.small.tsv", "qrels.train.tsv"], "largescale": ["wiki-clir/japanese/en2ja.rel"]}
    for dataset, names in shapes.items():
        release = fixture_releases[dataset]
        target = tmp_path / dataset
        release.export(target, release.loader())
        for name in names:
            got = [line.split() for line in text_lines(target / name)]
            assert got == [line.split() for line in text_lines(release.root / name)], name
            if dataset == "mmarco":
                assert got and all(len(fields) == 4 and fields[1] == "0" for fields in got)
            else:
                assert got and all(len(fields) == 3 for fields in got)
            assert all(re.fullmatch(r"\d+", fields[-1]) for fields in got)


def test_adding_a_largescale_language_completes_the_queries_file(fixture_releases: dict[str, Release], tmp_path: Path):
    release = fixture_releases["largescale"]

    def judging(data: FakeDataset, keep: Callable[[str], bool]) -> FakeDataset:
        return replace(
            data, queries=tuple(q for q in data.queries if keep(q.query_id)), qrels=tuple(r for r in data.qrels if keep(r.query_id))
        )

    # As in the real dataset, each language judges its own subset of the English queries.
    datasets = {
        dataset_id: judging(data, (lambda qid: int(qid) >= 307) if dataset_id == "wikiclir/en-simple" else (lambda qid: int(qid) < 307))
        for dataset_id, data in release.datasets.items()
    }
    release.export(tmp_path, FakeLoad(datasets), params={**release.params, "languages": ["de", "ja"]})
    release.export(tmp_path, FakeLoad(datasets))
    exported = {line.split("\t")[0] for line in text_lines(tmp_path / "wiki-clir" / "english" / "wiki_en.queries")}
    assert exported == {q.query_id for data in datasets.values() for q in data.queries}
    release.prepare(tmp_path)


def test_a_failed_download_is_one_sentence_naming_the_id_and_the_fix(release: Release, tmp_path: Path):
    """ir_datasets raises network errors deep inside its iterators; the step reports which id failed and what to do."""

    class Offline(FakeDataset):
        def _iter(self, kind: str, items: tuple[Any, ...] | None) -> Iterator[Any]:
            raise ConnectionError("Name or service not known")

    offline = FakeLoad({dataset_id: Offline(dataset_id) for dataset_id in release.datasets})
    with pytest.raises(
        InputError, match=rf"ir_datasets could not provide {release.dataset} while reading '[^']+': ConnectionError"
    ) as info:
        release.export(tmp_path, offline)
    assert f"{release.dataset}.source: local" in str(info.value)
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]  # nothing half-written


def test_a_changed_setting_downloads_again_what_it_changes(fixture_releases: dict[str, Release], tmp_path: Path):
    """The same file name from another ir_datasets id (here: another CLIRMatrix collection) is not a finished file."""
    release = fixture_releases["clirmatrix"]
    release.export(tmp_path, release.loader())
    renamed = {dataset_id.replace("/multi8/", "/bi139-base/"): data for dataset_id, data in release.datasets.items()}
    load = FakeLoad(renamed)
    rows = release.export(tmp_path, load, params={**release.params, "collection": "bi139-base"})
    pair_ids = {dataset_id for _, dataset_id in rows if "/bi139-base/" in dataset_id}
    assert pair_ids and pair_ids <= set(load.requested)  # every pair file fetched again from its new id
    assert not [i for i in load.requested if i.count("/") == 1]  # the documents did not change: kept
    recorded = dict(line.split("\t") for line in text_lines(tmp_path / ".exported.tsv"))
    assert {recorded[name] for name, dataset_id in rows} == {dataset_id for _, dataset_id in rows}


def test_mmarco_qrels_come_from_the_subset_their_file_names(fixture_releases: dict[str, Release], tmp_path: Path):
    release = fixture_releases["mmarco"]
    dev, small = release.datasets["msmarco-passage/dev"], release.datasets["msmarco-passage/dev/small"]
    datasets = {**release.datasets, "msmarco-passage/dev": FakeDataset("msmarco-passage/dev", queries=dev.queries, qrels=small.qrels)}
    load = FakeLoad(datasets)
    release.export(tmp_path, load, params={**release.params, "qrels": "qrels.dev.tsv", "train_queries_per_pair": 0})
    assert "msmarco-passage/dev" in load.requested and "msmarco-passage/dev/small" not in load.requested
    assert text_lines(tmp_path / "qrels.dev.tsv") == text_lines(release.root / "qrels.dev.small.tsv")
    with pytest.raises(ConfigError, match=r"'mmarco\.qrels'.*must be named one of"):
        release.export(tmp_path / "other", FakeLoad(datasets), params={**release.params, "qrels": "my-qrels.tsv"})
