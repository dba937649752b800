from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crossrank import layout

STAGES = layout.DATASET_STAGES + layout.GLOBAL_STAGES


def _dvc_outputs(project_root: Path, dataset: str) -> dict[str, list[str]]:
    """Outputs (outs and metrics) of every dvc.yaml stage, with foreach expanded for ``dataset``."""
    stages = yaml.safe_load((project_root / "dvc.yaml").read_text())["stages"]
    outputs = {}
    for name, stage in stages.items():
        body = stage.get("do", stage)
        paths = [next(iter(entry)) if isinstance(entry, dict) else entry for entry in body.get("outs", []) + body.get("metrics", [])]
        outputs[name] = [p.replace("${item}", dataset) for p in paths]
    return outputs


def test_every_pipeline_stage_is_a_dvc_stage(project_root):
    assert set(_dvc_outputs(project_root, "cldr")) == set(STAGES)


@pytest.mark.parametrize("stage", STAGES)
def test_dvc_stage_outputs_cover_the_files_snakemake_builds_for_it(project_root, stage):
    outputs = _dvc_outputs(project_root, "cldr")[stage]
    targets = layout.stage_targets(stage, ["cldr"], {"cldr": layout.CONDITIONS}, ["minilm", "other"], ["cldr"], ["minilm"], True)
    assert targets
    for target in targets:
        assert any(target == out or target.startswith(out.rstrip("/") + "/") for out in outputs), (stage, target)


def test_dvc_stages_call_their_snakemake_target(project_root):
    stages = yaml.safe_load((project_root / "dvc.yaml").read_text())["stages"]
    for name, stage in stages.items():
        command = stage.get("do", stage)["cmd"]
        suffix = "_${item}" if name in layout.DATASET_STAGES else ""
        assert command.endswith(f"stage_{name}{suffix}"), command


def test_run_names_and_fill():
    assert layout.run_names(["original"], ["a", "b"]) == ["bm25.original", "dense.a.original", "dense.b.original"]
    assert layout.fill(layout.RUN, dataset="cldr") == "results/cldr/runs/{run}.trec"
    with pytest.raises(ValueError, match="unknown stage"):
        layout.stage_targets("nope", ["cldr"], {"cldr": ["original"]}, [])


def test_a_dataset_without_translation_has_only_original_runs():
    conditions = {"cldr": ["original", "translated"], "clirmatrix": ["original"]}
    runs = layout.stage_targets("retrieve", ["cldr", "clirmatrix"], conditions, ["m"])
    assert "results/clirmatrix/runs/bm25.original.trec" in runs
    assert not [r for r in runs if "clirmatrix" in r and "translated" in r]
    assert layout.stage_targets("translate", ["clirmatrix"], conditions, ["m"]) == [
        "results/clirmatrix/translations.tsv",
        "data/translated/clirmatrix/summary.tsv",
    ]


def test_translate_stage_lists_documents_and_quality_where_they_exist():
    conditions = {"cldr": ["original", "translated"], "mmarco": ["original", "translated"]}
    targets = layout.stage_targets("translate", ["cldr", "mmarco"], conditions, ["m"], scored_translations=["cldr"])
    assert "data/translated/cldr/documents.tsv" in targets and "data/translated/mmarco/documents.tsv" in targets
    assert "data/translated/cldr/quality.csv" in targets and "data/translated/mmarco/quality.csv" not in targets
    assert "translate" in layout.DATASET_STAGES


def test_any_of_matches_exactly_the_names():
    import re

    assert re.fullmatch(layout.any_of(["cldr", "mmarco"]), "mmarco")
    assert not re.fullmatch(layout.any_of(["cldr"]), "cldrx")
    assert not re.fullmatch(layout.any_of([]), "cldr") and not re.fullmatch(layout.any_of([]), "")


def test_embed_stage_depends_on_the_queries_of_any_dataset(project_root):
    """The global embed stage cannot list per-dataset files: every dataset's queries live under data/original."""
    deps = yaml.safe_load((project_root / "dvc.yaml").read_text())["stages"]["embed"]["deps"]
    assert "data/original" in deps
    assert layout.QUERIES.startswith("data/original/")


def test_translation_quality_is_scored_only_where_a_translated_condition_exists():
    from crossrank import catalog

    config = {"conditions": ["original"], "cldr": {"translation": "nllb"}, "clirmatrix": {"translation": "nllb"}}
    assert catalog.scored_translations(config, ["cldr", "clirmatrix"]) == []
    config["conditions"] = ["original", "translated"]
    assert catalog.scored_translations(config, ["cldr", "clirmatrix"]) == ["cldr"]  # clirmatrix has no parallel English


def test_ann_runs_and_bias_reports_are_targets():
    assert layout.run_names(["original"], ["a", "b"], ["a"]) == ["bm25.original", "dense.a.original", "dense.b.original", "ann.a.original"]
    conditions = {"cldr": ["original"]}
    runs = layout.stage_targets("retrieve", ["cldr"], conditions, ["m"], ann_encoders=["m"])
    assert "results/cldr/runs/ann.m.original.trec" in runs
    assert "results/cldr/runs/ann.m.original.trec" not in layout.stage_targets("retrieve", ["cldr"], conditions, ["m"])
    report = layout.stage_targets("report", ["cldr"], conditions, ["m"])
    assert {"results/figures/cldr/language_bias.png", "results/tables/cldr/language_bias.csv"} <= set(report)


def test_a_disabled_efficiency_study_still_leaves_its_report():
    conditions = {"cldr": ["original"]}
    assert layout.stage_targets("efficiency", ["cldr"], conditions, ["m"]) == [layout.EFFICIENCY_MD]
    assert layout.EFFICIENCY_FIGURE in layout.stage_targets("efficiency", ["cldr"], conditions, ["m"], efficiency=True)
