"""DVC's code dependencies are true: each stage lists exactly the code its jobs run.

A stage's jobs are the rules writing its outputs (from Snakemake's own DAG); it must list their
scripts and rule files, and every module of ``src/crossrank`` those scripts import, transitively
(lazy imports included), and nothing else: a directory only when every module in it is imported.
Then ``dvc repro`` re-runs a stage when, and only when, code it runs changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from import_graph import ImportGraph
from workflow_rules import workflow_rules

PROJECT = Path(__file__).resolve().parents[2]
GRAPH = ImportGraph(PROJECT / "src")
STAGES = yaml.safe_load((PROJECT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
DATASETS = ["cldr", "clirmatrix", "mmarco", "largescale"]  # the datasets of the DAG fixture


def _body(stage: str) -> dict:
    return STAGES[stage].get("do", STAGES[stage])


def _deps(stage: str, prefix: str) -> list[str]:
    return [dep for dep in _body(stage)["deps"] if dep.startswith(prefix)]


def _outs(stage: str) -> list[str]:
    entries = _body(stage).get("outs", []) + _body(stage).get("metrics", [])
    paths = [next(iter(entry)) if isinstance(entry, dict) else entry for entry in entries]
    items = DATASETS if "foreach" in STAGES[stage] else [None]
    return [path.replace("${item}", item) if item else path for path in paths for item in items]


def _module_path(module: str) -> str:
    path = GRAPH.paths[module].relative_to(PROJECT)
    return str(path)


def _under(path: str, directory_or_file: str) -> bool:
    return path == directory_or_file or path.startswith(directory_or_file.rstrip("/") + "/")


def _covers(dep: str, module: str) -> bool:
    return _under(_module_path(module), dep)


def imported_modules(scripts: list[str]) -> set[str]:
    """The modules (not inert package roots) the scripts import, transitively."""
    direct = {edge.imported for script in scripts for edge in GRAPH.file_imports(PROJECT / script)}
    return {module for module in GRAPH.closure(direct) if not GRAPH.is_inert(module)}


def code_problems(stage: str, scripts: list[str], listed: list[str]) -> list[str]:
    """What the ``src/`` deps of a stage get wrong, as sentences naming the module and the fix."""
    imported = imported_modules(scripts)
    problems = [
        f"{stage}: its scripts import {module}, which dvc.yaml does not list. Fix: add '- {_module_path(module)}' to its deps."
        for module in sorted(imported)
        if not any(_covers(dep, module) for dep in listed)
    ]
    for dep in listed:
        covered = {module for module in GRAPH.paths if _covers(dep, module) and not GRAPH.is_inert(module)}
        if not covered:
            problems.append(f"{stage}: dependency {dep} is no module of src/crossrank. Fix: remove it.")
        elif not covered & imported:
            problems.append(f"{stage}: lists {dep}, but its scripts import nothing in it. Fix: remove it.")
        elif not covered <= imported:
            used = ", ".join(_module_path(module) for module in sorted(covered & imported))
            problems.append(f"{stage}: lists {dep}, but its scripts never import {sorted(covered - imported)}. Fix: list {used} instead.")
    return problems


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_stage_lists_exactly_the_library_code_its_scripts_import(stage: str):
    scripts = _deps(stage, "workflow/scripts/")
    assert scripts, f"{stage} lists no script"
    problems = code_problems(stage, scripts, _deps(stage, "src/"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_stage_lists_the_scripts_and_rule_files_of_the_rules_writing_its_outputs(stage: str, workflow_dag):
    rules = workflow_rules(PROJECT)
    outs = _outs(stage)
    writers = {
        rule for output, rule in workflow_dag.outputs.items() if any(output == o or output.startswith(o.rstrip("/") + "/") for o in outs)
    }
    assert writers, f"no rule writes the outputs {outs} of {stage}"
    assert sorted(_deps(stage, "workflow/scripts/")) == sorted(f"workflow/scripts/{rules[r].script}.py" for r in writers)
    assert sorted(_deps(stage, "workflow/rules/")) == sorted({f"workflow/rules/{rules[r].rule_file}.smk" for r in writers})


def test_a_planted_missing_or_phantom_dependency_is_named():
    scripts = _deps("index", "workflow/scripts/")
    listed = _deps("index", "src/")
    missing = code_problems("index", scripts, [dep for dep in listed if dep != "src/crossrank/core/runs.py"])
    assert missing == [
        "index: its scripts import crossrank.core.runs, which dvc.yaml does not list. Fix: add '- src/crossrank/core/runs.py' to its deps."
    ]
    phantom = code_problems("index", scripts, [*listed, "src/crossrank/dense"])
    assert phantom == ["index: lists src/crossrank/dense, but its scripts import nothing in it. Fix: remove it."]
    partial = code_problems("retrieve", _deps("retrieve", "workflow/scripts/"), [*_deps("retrieve", "src/"), "src/crossrank/core"])
    assert len(partial) == 1 and "lists src/crossrank/core, but its scripts never import" in partial[0]
    assert "Fix: list src/crossrank/core/cache_store.py" in partial[0]
    assert code_problems("index", [*scripts, "workflow/scripts/embed.py"], listed)  # embedding code unlisted
