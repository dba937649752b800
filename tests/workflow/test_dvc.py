"""dvc.yaml against the pipeline: one DVC stage per pipeline stage, calling its Snakemake target, owning its files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crossrank.config import validate_params
from crossrank.core import layout
from crossrank.plan import Plan

STAGES = layout.DATASET_STAGES + layout.GLOBAL_STAGES


def _dvc_stages(project_root: Path) -> dict:
    return yaml.safe_load((project_root / "dvc.yaml").read_text())["stages"]


def _dvc_outputs(project_root: Path, dataset: str) -> dict[str, list[str]]:
    """Outputs (outs and metrics) of every dvc.yaml stage, with foreach expanded for ``dataset``."""
    outputs = {}
    for name, stage in _dvc_stages(project_root).items():
        body = stage.get("do", stage)
        paths = [next(iter(entry)) if isinstance(entry, dict) else entry for entry in body.get("outs", []) + body.get("metrics", [])]
        outputs[name] = [p.replace("${item}", dataset) for p in paths]
    return outputs


@pytest.fixture(scope="module")
def plan(project_root: Path) -> Plan:
    """The shipped configuration with two encoders, HNSW, a scored NLLB translation and the efficiency study."""
    config = yaml.safe_load((project_root / "params.yaml").read_text())
    config["encoders"]["other"] = {"model": "x"}
    config["cldr"]["translation"] = "nllb"
    return Plan.from_config(validate_params(config, project_root / "workflow/schemas/params.schema.yaml"))


def test_every_pipeline_stage_is_a_dvc_stage(project_root: Path):
    assert set(_dvc_outputs(project_root, "cldr")) == set(STAGES)
    assert "translate" in layout.DATASET_STAGES and "analyse" in layout.DATASET_STAGES


@pytest.mark.parametrize("stage", STAGES)
def test_dvc_stage_outputs_cover_the_files_snakemake_builds_for_it(project_root: Path, plan: Plan, stage: str):
    outputs = _dvc_outputs(project_root, "cldr")[stage]
    targets = plan.stage_targets(stage)
    assert targets
    for target in targets:
        assert any(target == out or target.startswith(out.rstrip("/") + "/") for out in outputs), (stage, target)


def test_dvc_stages_call_their_snakemake_target(project_root: Path):
    for name, stage in _dvc_stages(project_root).items():
        command = stage.get("do", stage)["cmd"]
        suffix = "_${item}" if name in layout.DATASET_STAGES else ""
        assert command.endswith(f"stage_{name}{suffix}"), command


def test_embed_stage_depends_on_the_queries_of_any_dataset(project_root: Path):
    """The global embed stage cannot list per-dataset files: every dataset's queries live under data/original."""
    deps = _dvc_stages(project_root)["embed"]["deps"]
    assert "data/original" in deps
    assert layout.QUERIES.startswith("data/original/")
