"""dvc.yaml's plots and metrics against the pipeline: `dvc plots show` and `dvc metrics show` read files it writes.

Each declared plot names a file or directory the pipeline builds (a Snakemake target of one DVC
stage, so DVC versions it and `dvc plots diff` compares it across experiments), its x and y are
columns those files have, and its template exists. The metrics are one flat JSON per run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from crossrank.core import layout
from crossrank.efficiency.report import summary_table
from crossrank.efficiency.study import COLUMNS as STUDY_COLUMNS
from crossrank.evaluate import steps
from crossrank.evaluate.metrics import metrics_frame, write_metrics
from crossrank.plan import Plan

PROJECT = Path(__file__).resolve().parents[2]
DVC = yaml.safe_load((PROJECT / "dvc.yaml").read_text(encoding="utf-8"))
PARAMS = yaml.safe_load((PROJECT / "params.yaml").read_text(encoding="utf-8"))
BUILTIN_TEMPLATES = {
    "linear",
    "simple",
    "scatter",
    "smooth",
    "confusion",
    "confusion_normalized",
    "bar_horizontal",
    "bar_horizontal_sorted",
}


def _resolve(value: object) -> object:
    """dvc.yaml's ``${a.b}`` interpolation from params.yaml (its ``vars``)."""
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    if not isinstance(value, str):
        return value

    def lookup(match: re.Match[str]) -> str:
        node: object = PARAMS
        for key in match.group(1).split("."):
            node = node[key]  # type: ignore[index]
        return str(node)

    return re.sub(r"\$\{([^}]+)\}", lookup, value)


def _plots() -> dict[str, dict]:
    plots = {}
    for entry in DVC.get("plots", []):
        ((path, props),) = entry.items()
        plots[path] = {key: _resolve(value) for key, value in (props or {}).items()}
    return plots


def _pair_files(tmp_path: Path) -> Path:
    """What the metrics stage writes under results/per_pair for two runs evaluated with every configured metric."""
    metrics = PARAMS["evaluation"]["metrics"]
    paths = []
    for i, run in enumerate(["bm25.original", "dense.minilm.translated"]):
        table = {(q, d, m): (0.5, 2) for q, d in [("all", "all"), ("en", "de"), ("de", "en")] for m in metrics}
        write_metrics(str(tmp_path / f"{i}.csv"), metrics_frame("cldr", run, table))
        paths.append(str(tmp_path / f"{i}.csv"))
    out = tmp_path / layout.PAIR_METRICS
    steps.collect_metrics(paths, [], str(tmp_path / "m.csv"), str(tmp_path / "summary"), str(tmp_path / "q.csv"), str(out))
    return out


def _efficiency_summary() -> pd.DataFrame:
    """The efficiency summary's columns (the study's rows for one size, exact and HNSW at the default ef)."""
    rows = [
        dict.fromkeys(STUDY_COLUMNS, 1.0) | {"method": method, "ef": ef, "size": 1000, "source": "real", "k": 100}
        for method, ef in [("exact", None), ("hnsw", 200)]
    ]
    return summary_table(pd.DataFrame(rows, columns=STUDY_COLUMNS), ef=200)


def _plan() -> Plan:
    from crossrank.config import validate_params

    return Plan.from_config(validate_params(PARAMS, PROJECT / "workflow/schemas/params.schema.yaml"))


def test_plots_are_declared_for_the_per_pair_tables_and_the_efficiency_curve():
    assert set(_plots()) == {layout.PAIR_METRICS, layout.EFFICIENCY_SUMMARY_CSV}


@pytest.mark.parametrize("path", sorted(_plots()))
def test_each_plot_is_a_file_the_pipeline_builds_in_a_dvc_stage(path: str):
    plan = _plan()
    targets = [target for stage in layout.DATASET_STAGES + layout.GLOBAL_STAGES for target in plan.stage_targets(stage)]
    assert path in targets, f"{path}: no Snakemake stage target writes it, so `dvc plots show` would find nothing"
    outs = []
    for stage in DVC["stages"].values():
        body = stage.get("do", stage)
        outs += [next(iter(e)) if isinstance(e, dict) else e for e in body.get("outs", []) + body.get("metrics", [])]
    assert any(path == out or path.startswith(out.rstrip("/") + "/") for out in outs), f"{path}: no DVC stage owns it"


@pytest.mark.parametrize("path", sorted(_plots()))
def test_each_plot_names_a_template_that_exists(path: str):
    template = _plots()[path].get("template", "linear")
    assert template in BUILTIN_TEMPLATES or (PROJECT / ".dvc" / "plots" / f"{template}.json").is_file(), template


def test_the_per_pair_plot_reads_columns_every_per_pair_table_has(tmp_path):
    props = _plots()[layout.PAIR_METRICS]
    files = sorted((_pair_files(tmp_path)).rglob("*.csv"))
    assert [f.relative_to(tmp_path / layout.PAIR_METRICS).as_posix() for f in files] == [
        "cldr/bm25.original.csv",
        "cldr/dense.minilm.translated.csv",
    ]
    for file in files:
        table = pd.read_csv(file)
        assert {props["x"], props["y"]} <= set(table.columns), (file, props)
        assert table[props["y"]].tolist() == ["de-en", "en-de"]  # one row per language pair, no macro row
    assert props["x"] == PARAMS["report"]["metric"] and props["x"] in PARAMS["evaluation"]["metrics"]


def test_the_efficiency_plot_reads_columns_of_the_efficiency_summary():
    props = _plots()[layout.EFFICIENCY_SUMMARY_CSV]
    columns = set(_efficiency_summary().columns)
    ys = props["y"] if isinstance(props["y"], list) else [props["y"]]
    assert props["x"] in columns and set(ys) <= columns, (props, sorted(columns))


def test_dvc_metrics_are_the_per_run_summary_directory():
    metrics = DVC["stages"]["metrics"]["metrics"]
    assert [next(iter(e)) if isinstance(e, dict) else e for e in metrics] == [layout.METRICS_SUMMARY]


def test_dvc_ignores_the_timestamp_snakemake_leaves_in_directory_outputs():
    patterns = [line.strip() for line in (PROJECT / ".dvcignore").read_text(encoding="utf-8").splitlines()]
    assert ".snakemake_timestamp" in patterns  # else `dvc metrics show` lists results/metrics/.snakemake_timestamp as a run
