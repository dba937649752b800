"""What the workflow needs to know about each configured dataset, read from ``params.yaml``.

Its document conditions (``translated`` exists only where the dataset has a translation
backend) and its query and document languages (Large-Scale has English queries only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NO_TRANSLATION = "none"


def dataset_conditions(config: Mapping[str, Any], dataset: str) -> list[str]:
    """The configured ``conditions`` this dataset can produce, in their configured order."""
    translation = config[dataset].get("translation", NO_TRANSLATION)
    return [c for c in config["conditions"] if c != "translated" or translation != NO_TRANSLATION]


def query_languages(config: Mapping[str, Any], dataset: str) -> list[str]:
    """Languages the dataset's queries are written in (Large-Scale: English only, against many document languages)."""
    if dataset == "largescale":
        from crossrank.protocols.largescale import QUERY_LANGUAGE

        return [QUERY_LANGUAGE]
    return list(config[dataset]["languages"])


def document_languages(config: Mapping[str, Any], dataset: str) -> list[str]:
    """Languages of the dataset's document pool."""
    return list(config[dataset]["languages"])
