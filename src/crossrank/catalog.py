"""What the workflow needs to know about each configured dataset, read from ``params.yaml``.

Its document conditions (``translated`` exists only where the dataset has a translation
backend), its query and document languages (Large-Scale has English queries only), and
whether its release is read from a local directory or downloaded through ir_datasets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NO_TRANSLATION = "none"
# Datasets whose queries are all in one language, against documents in many.
SINGLE_QUERY_LANGUAGE = {"largescale": "en"}


def dataset_conditions(config: Mapping[str, Any], dataset: str) -> list[str]:
    """The configured ``conditions`` this dataset can produce, in their configured order."""
    translation = config[dataset].get("translation", NO_TRANSLATION)
    return [c for c in config["conditions"] if c != "translated" or translation != NO_TRANSLATION]


def query_languages(config: Mapping[str, Any], dataset: str) -> list[str]:
    """Languages the dataset's queries are written in."""
    if dataset in SINGLE_QUERY_LANGUAGE:
        return [SINGLE_QUERY_LANGUAGE[dataset]]
    return list(config[dataset]["languages"])


def document_languages(config: Mapping[str, Any], dataset: str) -> list[str]:
    """Languages of the dataset's document pool."""
    return list(config[dataset]["languages"])


def downloads(config: Mapping[str, Any]) -> list[str]:
    """Configured datasets whose release comes from ir_datasets."""
    return [d for d in config["datasets"] if config[d].get("source") == "ir_datasets"]
