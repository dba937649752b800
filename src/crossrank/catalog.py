"""What the workflow needs to know about each configured dataset, read from ``params.yaml``.

Its document conditions (``translated`` exists only where the dataset has a translation
backend) and its query and document languages (Large-Scale has English queries only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NO_TRANSLATION = "none"
MACHINE_TRANSLATION = "nllb"
# Datasets with a parallel English text of every document (their prepare step writes it): the
# oracle translation, and the reference that machine translations are scored against.
PARALLEL_ENGLISH = ("cldr", "mmarco")


def dataset_conditions(config: Mapping[str, Any], dataset: str) -> list[str]:
    """The configured ``conditions`` this dataset can produce, in their configured order."""
    translation = translation_backend(config, dataset)
    return [c for c in config["conditions"] if c != "translated" or translation != NO_TRANSLATION]


def translation_backend(config: Mapping[str, Any], dataset: str) -> str:
    """The backend of the dataset's translated condition (``none`` when it has none)."""
    return config[dataset].get("translation", NO_TRANSLATION)


def scored_translations(config: Mapping[str, Any], datasets: list[str]) -> list[str]:
    """Datasets whose machine translations can be scored against their parallel English."""
    return [
        d
        for d in datasets
        if d in PARALLEL_ENGLISH and translation_backend(config, d) == MACHINE_TRANSLATION and "translated" in dataset_conditions(config, d)
    ]


def query_languages(config: Mapping[str, Any], dataset: str) -> list[str]:
    """Languages the dataset's queries are written in (Large-Scale: English only, against many document languages)."""
    if dataset == "largescale":
        from crossrank.protocols.largescale import QUERY_LANGUAGE

        return [QUERY_LANGUAGE]
    return list(config[dataset]["languages"])


def document_languages(config: Mapping[str, Any], dataset: str) -> list[str]:
    """Languages of the dataset's document pool."""
    return list(config[dataset]["languages"])


def enabled_encoders(config: Mapping[str, Any]) -> list[str]:
    """Names of the registry's enabled encoders, sorted (each has dense and, with ann, HNSW runs)."""
    return sorted(name for name, entry in config["encoders"].items() if entry.get("enabled", True))


def efficiency_source(config: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(dataset, encoder)`` whose cached embeddings the efficiency study reads, or None when it does not run.

    Unset (null) names mean the first configured dataset and the first enabled encoder in
    registry order (so adding an entry below does not change the study); the study does not run
    when it is disabled or no encoder is enabled (a BM25-only configuration).
    """
    study = config.get("efficiency", {})
    encoders = [name for name, entry in config["encoders"].items() if entry.get("enabled", True)]
    if not study.get("enabled") or not encoders:
        return None
    return study.get("dataset") or config["datasets"][0], study.get("encoder") or encoders[0]
