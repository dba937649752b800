"""The dataset registry (crossrank.prepare.registry): one entry per dataset, with its facts and, if released, its protocol."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from releases import write_clirmatrix, write_largescale_split, write_mmarco
from scratch_project import copy_project, snakemake

from crossrank.core.errors import ConfigError
from crossrank.prepare import registry
from crossrank.prepare.protocols.clirmatrix import ClirMatrixSettings


def test_every_configurable_dataset_has_an_entry(project_root: Path):
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
    write_clirmatrix(tmp_path, ["de", "en"])
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


# A training file of each release, and a file every run reads, relative to the release directory.
RELEASES = {
    "clirmatrix": (write_clirmatrix, "MULTI-8/en/en.de.train.jl.gz", "DOCS/de.tsv.gz"),
    "mmarco": (write_mmarco, "triples.train.ids.small.tsv", "collections/english_collection.tsv"),
    "largescale": (write_largescale_split, "data_en_de/train.txt", "data_en_de/test1.txt"),
}


def _release(tmp_path: Path, name: str, removed: str) -> dict:
    writer, _training, _evaluated = RELEASES[name]
    languages = ["de", "ja"] if name == "largescale" else ["de", "en"]
    writer(tmp_path / "release", languages)
    (tmp_path / "release" / removed).unlink()
    return {"source": "local", "root": str(tmp_path / "release"), "languages": languages, "train_queries_per_pair": 2}


@pytest.mark.parametrize("name", list(RELEASES))
def test_a_release_without_its_training_split_names_the_file_and_both_fixes(tmp_path: Path, name: str):
    training = RELEASES[name][1]
    params = _release(tmp_path, name, training)
    with pytest.raises(ConfigError) as error:
        registry.release_inputs(name, params)
    message = str(error.value)
    root = params["root"]
    assert message.startswith(f"params.yaml '{name}.root': 1 of the {len(registry.release_files(name, params))} files the {name} protocol")
    assert f"missing from the release directory {root!r}, first {root}/{training} (the training split)." in message
    assert "Fix: copy the release there unchanged (README, 'The paper's datasets')" in message
    assert f"or set {name}.train_queries_per_pair: 0 to prepare {name} without training pairs" in message
    assert f"{name}.source: ir_datasets" in message
    assert registry.release_inputs(name, {**params, "train_queries_per_pair": 0})  # without training pairs it is not read


@pytest.mark.parametrize("name", list(RELEASES))
def test_a_release_without_a_file_it_evaluates_names_it_and_no_training_fix(tmp_path: Path, name: str):
    evaluated = RELEASES[name][2]
    params = _release(tmp_path, name, evaluated)
    with pytest.raises(ConfigError, match=rf"first {params['root']}/{evaluated}\. Fix: copy the release") as error:
        registry.release_inputs(name, params)
    assert "train_queries_per_pair" not in str(error.value)


def test_a_missing_release_directory_says_where_to_put_it(tmp_path: Path):
    params = {"source": "local", "root": str(tmp_path / "nowhere"), "languages": ["de", "en"]}
    with pytest.raises(ConfigError, match=r"'mmarco.root': the release directory '.*nowhere' does not exist\. Fix: download"):
        registry.release_inputs("mmarco", params)


def test_snakemake_stops_on_a_missing_training_file_before_building_any_job(tmp_path: Path, project_root: Path):
    root = copy_project(project_root, tmp_path / "project")
    write_mmarco(root / "datasets/mmarco", ["de", "en"])
    (root / "datasets/mmarco/triples.train.ids.small.tsv").unlink()
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["datasets"] = ["mmarco"]
    params["mmarco"].update(languages=["de", "en"], train_queries_per_pair=3)
    params["finetune"]["levels"] = ["qd"]
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False, allow_unicode=True))
    result = snakemake("-n", "--cores", "1", cwd=root, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "MissingInputException" not in output and "Building DAG of jobs" not in output
    assert "'mmarco.root': 1 of the" in output and "datasets/mmarco/triples.train.ids.small.tsv (the training split)" in output
