"""Fixtures of the workflow-level tests: the Snakemake DAG of configurations that use every rule."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from scratch_project import copy_project, snakemake

# Every dataset, every translation backend (nllb with shards, a scored nllb, the oracle, none),
# ir_datasets downloads, fine-tuning, and the efficiency study on and off: together they use every rule.
EVERY_RULE = [
    {
        "datasets": ["cldr", "clirmatrix", "mmarco", "largescale"],
        "cldr": {"translation": "nllb"},
        "clirmatrix": {"source": "ir_datasets", "translation": "nllb"},
        "mmarco": {"source": "ir_datasets"},
        "largescale": {"source": "ir_datasets", "release": "full"},
        "finetune": {"levels": ["qd"]},  # the next configuration fine-tunes at every level
    },
    # The word level, and Tatoeba's phrase pairs for a released dataset (on the releases write_finetune_releases writes).
    {
        "datasets": ["cldr", "mmarco"],
        "mmarco": {"source": "ir_datasets", "languages": ["de", "en", "ja"]},
        "finetune": {"levels": ["word", "phrase", "qd"]},
        "rerank": {"first_stages": ["bm25", "dense.minilm"], "conditions": ["original", "translated"]},
    },
    {"efficiency": {"enabled": False}},  # last: the outputs it shares with the others are skip_efficiency's
]


def write_finetune_releases(root: Path) -> None:
    """Tiny Tatoeba, XL-WiC, AM2iCo and SenWiCh releases at the shipped ``finetune`` paths, for every language they cover."""
    from releases import write_am2ico, write_senwich, write_tatoeba, write_xlwic

    from crossrank.finetune.word_pairs import languages_of

    write_tatoeba(root / "datasets/tatoeba", ["ar", "de", "es", "fr", "ja", "ru", "zh"], count=3)
    write_xlwic(root / "datasets/xlwic/xlwic_datasets", list(languages_of("xlwic")), count=2)
    write_am2ico(root / "datasets/am2ico/data", list(languages_of("am2ico")), count=2)
    write_senwich(root / "datasets/senwich", list(languages_of("senwich")), count=2)


@dataclass(frozen=True)
class WorkflowDag:
    """What the DAGs of :data:`EVERY_RULE` hold: the rule writing each output file, and which rule feeds which."""

    outputs: dict[str, str]
    edges: set[tuple[str, str]]


@pytest.fixture(scope="session")
def workflow_dag(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> WorkflowDag:
    """``snakemake --detailed-summary`` and ``--rulegraph`` of every configuration of :data:`EVERY_RULE` (nothing runs)."""
    root = copy_project(project_root, tmp_path_factory.mktemp("dag") / "project")
    write_finetune_releases(root)
    outputs: dict[str, str] = {}
    edges: set[tuple[str, str]] = set()
    for number, overlay in enumerate(EVERY_RULE):
        path = root / f"overlay{number}.yaml"
        path.write_text(yaml.safe_dump(overlay))
        configs = ("--configfiles", "params.yaml", str(path))
        summary = snakemake("--detailed-summary", "--cores", "1", *configs, cwd=root)
        for row in csv.DictReader(io.StringIO(summary.stdout), delimiter="\t"):
            outputs[row["output_file"]] = row["rule"]
        graph = snakemake("--rulegraph", *configs, cwd=root).stdout
        labels = dict(re.findall(r"^\s*(\d+)\[label = \"(\w+)\"", graph, flags=re.MULTILINE))
        edges |= {(labels[a], labels[b]) for a, b in re.findall(r"^\s*(\d+) -> (\d+)", graph, flags=re.MULTILINE)}
    return WorkflowDag(outputs, edges)
