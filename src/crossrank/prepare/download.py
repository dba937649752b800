"""Download a released dataset through ir_datasets and write it in the release's own file layout.

With ``source: ir_datasets`` a dataset is fetched once by the ``download`` step into
``data/raw/{dataset}`` (DVC-tracked, so other machines ``dvc pull`` it) and then prepared by the
same protocol code as a local copy. Each file is written atomically and its ir_datasets id is
recorded in ``.exported.tsv``; a file is kept only when it exists and came from the same id,
so an interrupted download resumes file by file and a changed setting (e.g. another
CLIRMatrix collection) downloads again what it changes. ir_datasets ids put the
CLIRMatrix document language first, spell mMARCO's Dutch ``dt`` and serve mMARCO's English
as MS MARCO itself; Large-Scale CLIR is only available as its full release (``wikiclir/*``).
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from tqdm import tqdm

from crossrank.core.errors import ConfigError, InputError
from crossrank.core.io import atomic_path
from crossrank.prepare.protocols.clirmatrix import ClirMatrixSettings
from crossrank.prepare.protocols.largescale import QUERY_LANGUAGE, LargeScaleSettings
from crossrank.prepare.protocols.mmarco import MmarcoSettings
from crossrank.prepare.registry import protocol

log = logging.getLogger(__name__)
Loader = Callable[[str], Any]


def export_release(dataset: str, params: Mapping[str, Any], target: str | Path, load: Loader | None = None) -> list[tuple[str, str]]:
    """Write every file the protocol of ``dataset`` reads under ``target``; return ``(file, ir_datasets id)`` rows.

    ``load`` is ``ir_datasets.load`` unless given (tests pass a local stand-in).
    """
    if load is None:
        import ir_datasets

        load = ir_datasets.load
    settings = protocol(dataset).settings(params, target)
    check_exportable(dataset, settings)
    exporters: dict[str, Callable[[Any, Loader, _Record], list[tuple[str, str]]]] = {
        "clirmatrix": _clirmatrix,
        "mmarco": _mmarco,
        "largescale": _largescale,
    }
    requested: list[str] = []

    def tracked(dataset_id: str) -> Any:
        requested.append(dataset_id)
        return load(dataset_id)

    try:
        return exporters[dataset](settings, tracked, _Record(Path(target)))
    except (ConfigError, InputError):
        raise
    except Exception as error:  # network, a dataset host that moved, a corrupt download: one sentence, not a traceback
        where = f" while reading {requested[-1]!r}" if requested else ""
        raise InputError(
            target,
            f"ir_datasets could not provide {dataset}{where}: {type(error).__name__}: {error}",
            fix=f"check network access (ir_datasets logs the URL it tried), or download the release and set {dataset}.source: local.",
        ) from error


def _clean(text: str) -> str:
    """A field safe for a TSV line."""
    return " ".join(str(text).split())


# MS MARCO qrels files and the ir_datasets subsets that serve them.
MMARCO_QRELS = {"qrels.dev.small.tsv": "dev/small", "qrels.dev.tsv": "dev"}


def check_exportable(dataset: str, settings: Any) -> None:
    """Raise ConfigError for settings that ir_datasets cannot serve (checked before any job runs)."""
    if dataset == "mmarco":
        if settings.split != "dev" or (settings.train_queries_per_pair and settings.train_split != "train"):
            raise ConfigError("params.yaml 'mmarco': with source: ir_datasets, split must be 'dev' and train_split 'train'.")
        if Path(settings.qrels).name not in MMARCO_QRELS:
            raise ConfigError(
                f"params.yaml 'mmarco.qrels': with source: ir_datasets the qrels file must be named one of {sorted(MMARCO_QRELS)} "
                "(MS MARCO dev/small or dev)."
            )
    if dataset == "largescale" and settings.release != "full":
        raise ConfigError(
            "params.yaml 'largescale': ir_datasets serves the full release only (wikiclir/<lang>). "
            "Fix: set release: full, or download the split release and use source: local."
        )


class _Record:
    """``.exported.tsv`` under the target: the ir_datasets id every finished file was exported from."""

    NAME = ".exported.tsv"

    def __init__(self, root: Path):
        self.root = root
        path = root / self.NAME
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
        self.ids = dict(line.split("\t", 1) for line in lines if "\t" in line)

    def current(self, name: str, dataset_id: str) -> bool:
        return (self.root / name).is_file() and self.ids.get(name) == dataset_id

    def mark(self, name: str, dataset_id: str) -> None:
        if self.ids.get(name) != dataset_id:
            self.ids[name] = dataset_id
            _write(self.root / self.NAME, lambda: (f"{key}\t{value}" for key, value in sorted(self.ids.items())))


def _write_once(record: _Record, name: str, dataset_id: str, lines: Callable[[], Iterable[str]]) -> bool:
    """Write ``lines()`` to ``name`` under the record's root unless it is there from ``dataset_id``; return whether written."""
    if record.current(name, dataset_id):
        log.info("%s exported from %s before; kept (delete it to download again)", record.root / name, dataset_id)
        return False
    _write(record.root / name, lines)
    record.mark(name, dataset_id)
    return True


def _write(path: Path, lines: Callable[[], Iterable[str]]) -> None:
    """Write ``lines()`` to ``path`` atomically (gzip for ``.gz``)."""
    with atomic_path(path) as tmp:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(tmp, "wt", encoding="utf-8", newline="") as handle:
            for line in lines():
                handle.write(line + "\n")


def _id_text_lines(load: Loader, dataset_id: str, kind: str) -> Iterator[str]:
    """``id<TAB>text`` lines of a dataset's documents or queries."""
    dataset = load(dataset_id)
    items = dataset.docs_iter() if kind == "docs" else dataset.queries_iter()
    return (f"{_clean(item[0])}\t{_clean(item.text)}" for item in items)


def _clirmatrix(settings: ClirMatrixSettings, load: Loader, record: _Record) -> list[tuple[str, str]]:
    rows = []
    for split in settings.splits:
        for q, d in tqdm(settings.pairs, desc=f"clirmatrix {split}", unit="pair"):
            dataset_id = f"clirmatrix/{d}/{settings.collection}/{q}/{split}"  # document language first
            _write_once(record, settings.query_file(q, d, split), dataset_id, partial(_clirmatrix_lines, load, dataset_id))
            rows.append((settings.query_file(q, d, split), dataset_id))
    for lang in settings.languages:
        dataset_id = f"clirmatrix/{lang}"
        _write_once(record, settings.document_file(lang), dataset_id, partial(_id_text_lines, load, dataset_id, "docs"))
        rows.append((settings.document_file(lang), dataset_id))
    return rows


def _clirmatrix_lines(load: Loader, dataset_id: str) -> Iterator[str]:
    """CLIRMatrix's JSON lines, rebuilt from ir_datasets queries and qrels (judgments in release order)."""
    dataset = load(dataset_id)
    results: dict[str, list[list[Any]]] = {}
    for qrel in dataset.qrels_iter():
        results.setdefault(qrel.query_id, []).append([qrel.doc_id, int(qrel.relevance)])
    for query in dataset.queries_iter():
        record = {"src_id": query.query_id, "src_query": query.text, "tgt_results": results.get(query.query_id, [])}
        yield json.dumps(record, ensure_ascii=False)


def _qrels_lines(load: Loader, dataset_id: str, columns: int) -> Iterator[str]:
    """TREC qrels lines: ``qid 0 docid rel`` (4 columns) or ``qid docid rel`` (3 columns), tab-separated."""
    for qrel in load(dataset_id).qrels_iter():
        middle = [qrel.doc_id] if columns == 3 else ["0", qrel.doc_id]
        yield "\t".join([qrel.query_id, *middle, str(int(qrel.relevance))])


def _triples_lines(load: Loader, dataset_id: str) -> Iterator[str]:
    """MS MARCO's training triples by id: ``qid<TAB>positive pid<TAB>negative pid`` (shared by every mMARCO language)."""
    return (f"{pair.query_id}\t{pair.doc_id_a}\t{pair.doc_id_b}" for pair in load(dataset_id).docpairs_iter())


# The ir_datasets subset serving MS MARCO's training triples by id (triples.train.ids.small.tsv).
MMARCO_TRIPLES = "msmarco-passage/train/triples-small"


def _mmarco_id(lang: str, part: str = "") -> str:
    base = "msmarco-passage" if lang == "en" else f"mmarco/v2/{'dt' if lang == 'nl' else lang}"
    return f"{base}/{part}" if part else base


def _mmarco(settings: MmarcoSettings, load: Loader, record: _Record) -> list[tuple[str, str]]:
    splits = [settings.split] + ([settings.train_split] if settings.train_queries_per_pair else [])
    qrels_id = _mmarco_id("en", MMARCO_QRELS[Path(settings.qrels).name])
    files = [(settings.qrels, qrels_id, partial(_qrels_lines, load, qrels_id, 4))]
    if settings.train_queries_per_pair:
        files.append((settings.train_qrels, _mmarco_id("en", "train"), partial(_qrels_lines, load, _mmarco_id("en", "train"), 4)))
    if settings.reads_triples:
        files.append((settings.train_triples, MMARCO_TRIPLES, partial(_triples_lines, load, MMARCO_TRIPLES)))
    for lang in settings.languages:
        for split in splits:
            dataset_id = _mmarco_id(lang, split)
            files.append((settings.queries_file(lang, split), dataset_id, partial(_id_text_lines, load, dataset_id, "queries")))
    for lang in settings.collection_languages:
        files.append((settings.collection_file(lang), _mmarco_id(lang), partial(_id_text_lines, load, _mmarco_id(lang), "docs")))
    for name, dataset_id, lines in tqdm(files, desc="mmarco files", unit="file"):
        _write_once(record, name, dataset_id, lines)
    return [(name, dataset_id) for name, dataset_id, _ in files]


def _wikiclir_documents(dataset: Any) -> Iterator[str]:
    return (f"{_clean(d.doc_id)}\t{_clean(d.title)}\t{_clean(d.text)}" for d in dataset.docs_iter())


def _largescale(settings: LargeScaleSettings, load: Loader, record: _Record) -> list[tuple[str, str]]:
    rows, queries = [], {}
    for lang in tqdm(settings.languages, desc="largescale languages", unit="language"):
        dataset_id = f"wikiclir/{'en-simple' if lang == 'simple' else lang}"
        dataset = load(dataset_id)
        queries.update({q.query_id: q for q in dataset.queries_iter()})
        documents = str(settings.documents_path(lang).relative_to(settings.root))
        qrels = str(settings.qrels_path(lang).relative_to(settings.root))
        _write_once(record, documents, dataset_id, partial(_wikiclir_documents, dataset))
        _write_once(record, qrels, dataset_id, partial(_qrels_lines, load, dataset_id, 3))
        rows += [(documents, dataset_id), (qrels, dataset_id)]
    # One English queries file serves every language: rewritten whenever the union changes, so
    # adding a language to a finished download brings the queries only that language judges.
    path = settings.root / settings.queries_file
    lines = [f"{_clean(q.query_id)}\t{_clean(q.title)}\t{_clean(q.first_sent)}" for q in sorted(queries.values(), key=lambda q: q.query_id)]
    if not path.exists() or path.read_text(encoding="utf-8").splitlines() != lines:
        _write(path, lambda: lines)
    record.mark(settings.queries_file, f"wikiclir/* ({QUERY_LANGUAGE} queries of every language)")
    rows.append((settings.queries_file, f"wikiclir/* ({QUERY_LANGUAGE} queries of every language)"))
    return rows
