"""The datasets the pipeline knows: what each one is, and where a released one's files are read from.

Every dataset of ``params.yaml``'s ``datasets:`` has one entry: the embedded ``cldr`` benchmark
(generated, no release) and the paper's three released datasets, each with the protocol that
reads and samples its release. An entry holds the facts about a dataset that do not depend on
its settings: whether it has a parallel English text of every document (the oracle
translation, and the reference machine translations are scored against) and whether its
queries are all in one language (Large-Scale CLIR: English queries against every document
language).

A released dataset's files come either from a local copy of its release (``source: local``,
the directory ``root``) or from ``ir_datasets`` (``source: ir_datasets``), which the
``download`` step exports once into ``data/raw/{dataset}`` in the release's own layout; the
protocols read both the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossrank.core import layout
from crossrank.core.errors import ConfigError
from crossrank.prepare.prepared import PreparedDataset
from crossrank.prepare.protocols import clirmatrix, largescale, mmarco


@dataclass(frozen=True)
class Protocol:
    """How to build a released dataset's settings, which files it reads, and how it is prepared."""

    settings: Callable[[Mapping[str, Any], str | Path], Any]
    raw_files: Callable[[Any], list[str]]
    prepare: Callable[[Any], PreparedDataset]
    training_files: Callable[[Any], list[str]]  # those of raw_files read only for training pairs


@dataclass(frozen=True)
class Dataset:
    """One dataset of the registry.

    ``parallel_english``: its prepare step writes the English text of every document
    (``oracle_en.tsv``). ``phrase_pairs``: it writes parallel phrases of its training entities
    (``phrase_pairs.tsv``), the phrase level's training data. ``query_language``: the one language all its queries are in, or None
    when queries come in every configured language. ``training_candidates``: its release ranks
    judged non-relevant candidates for training queries (CLIRMatrix's label-0 results, mMARCO's
    training triples), which its prepare step writes (``candidates.tsv``) as hard negatives.
    ``protocol``: how its release is read (None for a generated dataset).
    """

    name: str
    parallel_english: bool = False
    phrase_pairs: bool = False
    query_language: str | None = None
    training_candidates: bool = False
    protocol: Protocol | None = None

    @property
    def released(self) -> bool:
        """Whether the dataset is read from a release (rather than generated)."""
        return self.protocol is not None

    def document_languages(self, params: Mapping[str, Any]) -> list[str]:
        """Languages of the document pool, from the dataset's settings block."""
        return list(params["languages"])

    def query_languages(self, params: Mapping[str, Any]) -> list[str]:
        """Languages the queries are written in."""
        return [self.query_language] if self.query_language else self.document_languages(params)


DATASETS: dict[str, Dataset] = {
    "cldr": Dataset("cldr", parallel_english=True, phrase_pairs=True),
    "clirmatrix": Dataset(
        "clirmatrix",
        training_candidates=True,
        protocol=Protocol(clirmatrix.ClirMatrixSettings.from_params, clirmatrix.raw_files, clirmatrix.prepare, clirmatrix.training_files),
    ),
    "mmarco": Dataset(
        "mmarco",
        parallel_english=True,
        training_candidates=True,
        protocol=Protocol(mmarco.MmarcoSettings.from_params, mmarco.raw_files, mmarco.prepare, mmarco.training_files),
    ),
    "largescale": Dataset(
        "largescale",
        query_language=largescale.QUERY_LANGUAGE,
        protocol=Protocol(largescale.LargeScaleSettings.from_params, largescale.raw_files, largescale.prepare, largescale.training_files),
    ),
}


def dataset(name: str) -> Dataset:
    """The registry entry of ``name``; raises ConfigError naming the known datasets."""
    try:
        return DATASETS[name]
    except KeyError:
        raise ConfigError(f"unknown dataset {name!r}. Fix: use one of {', '.join(DATASETS)} in params.yaml 'datasets'.") from None


def protocol(name: str) -> Protocol:
    """The protocol of a released dataset; raises ConfigError for a generated one."""
    found = dataset(name).protocol
    if found is None:
        raise ConfigError(f"dataset {name!r} is generated, not read from a release: it has no release files or protocol.")
    return found


def release_root(name: str, params: Mapping[str, Any]) -> str:
    """The directory a dataset's release files are read from (its download directory for ``source: ir_datasets``)."""
    if params.get("source", "local") == "ir_datasets":
        return layout.fill(layout.RAW_RELEASE, dataset=name)
    return str(params["root"])


def dataset_settings(name: str, params: Mapping[str, Any]) -> Any:
    """The protocol settings of a released dataset, validated (raises ConfigError)."""
    return protocol(name).settings(params, release_root(name, params))


def training_candidates_per_query(name: str, params: Mapping[str, Any]) -> int:
    """How many release candidates per training query a dataset's prepare step writes (0: none, or no release lists)."""
    if not dataset(name).training_candidates:
        return 0
    settings = dataset_settings(name, params)
    return settings.train_candidates_per_query if settings.train_queries_per_pair else 0


def release_files(name: str, params: Mapping[str, Any]) -> list[str]:
    """Paths (under the release root) of every file the protocol of a released dataset reads."""
    settings = dataset_settings(name, params)
    return [str(Path(settings.root) / file) for file in protocol(name).raw_files(settings)]


def release_inputs(name: str, params: Mapping[str, Any]) -> list[str]:
    """What a released dataset's prepare step waits for: its local release files, or the manifest of its ir_datasets download.

    Local files are checked to exist (:func:`check_release_files`): Snakemake asks for them while it parses the
    workflow, so a release copied without its training split stops there with the file and the fix, not with a
    MissingInputException naming the rule.
    """
    if params.get("source", "local") == "ir_datasets":
        return [layout.fill(layout.RAW_MANIFEST, dataset=name)]
    files = release_files(name, params)
    check_release_files(name, params, files)
    return files


def check_release_files(name: str, params: Mapping[str, Any], files: list[str] | None = None) -> None:
    """Raise ConfigError if a local release lacks its directory or a file its protocol reads, naming the first such
    file, the release directory and the fix (a missing training split can also be skipped: no training pairs)."""
    root = release_root(name, params)
    if not Path(root).is_dir():
        raise ConfigError(
            f"params.yaml '{name}.root': the release directory {root!r} does not exist. Fix: download the release "
            f"(README, 'The paper's datasets'), put or symlink it there, or set {name}.root; "
            f"or set {name}.source: ir_datasets to download it."
        )
    files = release_files(name, params) if files is None else files
    missing = [file for file in files if not Path(file).is_file()]
    if not missing:
        return
    settings = dataset_settings(name, params)
    training = {str(Path(settings.root) / file) for file in protocol(name).training_files(settings)}
    only_training = all(file in training for file in missing)
    role = " (the training split)" if only_training else ""
    skip = f", or set {name}.train_queries_per_pair: 0 to prepare {name} without training pairs" if only_training else ""
    raise ConfigError(
        f"params.yaml '{name}.root': {len(missing)} of the {len(files)} files the {name} protocol reads are missing from "
        f"the release directory {root!r}, first {missing[0]}{role}. Fix: copy the release there unchanged (README, "
        f"'The paper's datasets') or check the file names and split in params.yaml '{name}'{skip}; "
        f"or set {name}.source: ir_datasets to download it."
    )
