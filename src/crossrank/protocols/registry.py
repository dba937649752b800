"""The released datasets the pipeline knows, and where each one's files are read from.

A dataset's files come either from a local copy of its release (``source: local``, the
directory ``root``) or from ``ir_datasets`` (``source: ir_datasets``), which the ``download``
step exports once into ``data/raw/{dataset}`` in the release's own layout; the protocols read
both the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossrank import layout
from crossrank.datasets.prepared import PreparedDataset
from crossrank.protocols import clirmatrix, largescale, mmarco


@dataclass(frozen=True)
class Protocol:
    """How to build a dataset's settings, which files it reads, and how it is prepared."""

    settings: Callable[[Mapping[str, Any], str | Path], Any]
    raw_files: Callable[[Any], list[str]]
    prepare: Callable[[Any], PreparedDataset]


PROTOCOLS: dict[str, Protocol] = {
    "clirmatrix": Protocol(clirmatrix.ClirMatrixSettings.from_params, clirmatrix.raw_files, clirmatrix.prepare),
    "mmarco": Protocol(mmarco.MmarcoSettings.from_params, mmarco.raw_files, mmarco.prepare),
    "largescale": Protocol(largescale.LargeScaleSettings.from_params, largescale.raw_files, largescale.prepare),
}


def release_root(dataset: str, params: Mapping[str, Any]) -> str:
    """The directory a dataset's release files are read from (its download directory for ``source: ir_datasets``)."""
    if params.get("source", "local") == "ir_datasets":
        return layout.fill(layout.RAW_RELEASE, dataset=dataset)
    return str(params["root"])


def dataset_settings(dataset: str, params: Mapping[str, Any]) -> Any:
    """The protocol settings of ``dataset``, validated (raises ConfigError)."""
    return PROTOCOLS[dataset].settings(params, release_root(dataset, params))


def release_files(dataset: str, params: Mapping[str, Any]) -> list[str]:
    """Paths (under the release root) of every file the protocol of ``dataset`` reads."""
    settings = dataset_settings(dataset, params)
    return [str(Path(settings.root) / name) for name in PROTOCOLS[dataset].raw_files(settings)]


def release_inputs(dataset: str, params: Mapping[str, Any]) -> list[str]:
    """What a dataset's prepare step waits for: its local release files, or the manifest of its ir_datasets download."""
    if params.get("source", "local") == "ir_datasets":
        return [layout.fill(layout.RAW_MANIFEST, dataset=dataset)]
    return release_files(dataset, params)
