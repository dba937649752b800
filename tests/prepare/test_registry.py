"""The dataset registry (crossrank.prepare.registry): one entry per dataset, with its facts and, if released, its protocol."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossrank.core.errors import ConfigError
from crossrank.prepare import registry
from crossrank.prepare.protocols.clirmatrix import ClirMatrixSettings


def test_every_configurable_dataset_has_an_entry(project_root: Path):
    import yaml

    schema = yaml.safe_load((project_root / "workflow/schemas/params.schema.yaml").read_text())
    assert set(schema["properties"]["datasets"]["items"]["enum"]) == set(registry.DATASETS)
    assert all(name == entry.name for name, entry in registry.DATASETS.items())


def test_the_facts_of_each_dataset():
    cldr, clirmatrix, mmarco, largescale = (registry.dataset(n) for n in ("cldr", "clirmatrix", "mmarco", "largescale"))
    assert [d.parallel_english for d in (cldr, clirmatrix, mmarco, largescale)] == [True, False, True, False]
    assert [d.released for d in (cldr, clirmatrix, mmarco, largescale)] == [False, True, True, True]
    params = {"languages": ["de", "fr"]}
    assert largescale.query_languages(params) == ["en"] and largescale.document_languages(params) == ["de", "fr"]
    assert clirmatrix.query_languages(params) == clirmatrix.document_languages(params) == ["de", "fr"]


def test_unknown_and_generated_datasets_are_clear_errors():
    with pytest.raises(ConfigError, match=r"unknown dataset 'msmarco'\. Fix: use one of cldr, clirmatrix, mmarco, largescale"):
        registry.dataset("msmarco")
    with pytest.raises(ConfigError, match="'cldr' is generated"):
        registry.protocol("cldr")


def test_a_release_is_read_from_its_root_or_its_download(tmp_path: Path):
    params = {"source": "local", "root": str(tmp_path), "languages": ["de", "en"]}
    assert registry.release_root("clirmatrix", params) == str(tmp_path)
    settings = registry.dataset_settings("clirmatrix", params)
    assert isinstance(settings, ClirMatrixSettings) and settings.root == tmp_path
    files = registry.release_files("clirmatrix", params)
    assert files and all(f.startswith(str(tmp_path)) for f in files)
    assert registry.release_inputs("clirmatrix", params) == files
    downloaded = {**params, "source": "ir_datasets"}
    assert registry.release_root("clirmatrix", downloaded) == "data/raw/clirmatrix"
    assert registry.release_inputs("clirmatrix", downloaded) == ["data/raw/clirmatrix/manifest.tsv"]
