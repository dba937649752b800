"""The library's layers, enforced on its imports: core below the stages, the stages in DAG order, config and plan on top.

- ``crossrank.core`` (and its leaf ``errors``) never imports a stage, nor ``config``/``plan``;
- a stage imports the core, itself, and the stages upstream of it in the DAG, never downstream;
- nothing imports ``crossrank.config`` or ``crossrank.plan`` but each other (config -> plan);
- there is no import cycle, however lazy the import.

:data:`UPSTREAM` is the stage DAG; :func:`test_the_stage_dag_is_the_workflow_dag` checks it
against the rule graph Snakemake builds, so the two cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from import_graph import PACKAGE, Import, ImportGraph
from workflow_rules import workflow_rules

PROJECT = Path(__file__).resolve().parents[2]
GRAPH = ImportGraph(PROJECT / "src")

# Each stage (a subpackage and its workflow/rules/<stage>.smk) and the stages directly upstream of it.
UPSTREAM: dict[str, tuple[str, ...]] = {
    "prepare": (),
    "translate": ("prepare",),
    "bm25": ("translate",),
    "dense": ("translate",),
    "evaluate": ("bm25", "dense"),
    "analyse": ("evaluate",),
    "efficiency": ("dense",),
    "report": ("analyse",),
    "track": ("report",),
}
CORE = f"{PACKAGE}.core"
TOP = (f"{PACKAGE}.config", f"{PACKAGE}.plan")


def upstream_of(stage: str) -> set[str]:
    """Every stage upstream of ``stage``, transitively."""
    found: set[str] = set()
    todo = list(UPSTREAM[stage])
    while todo:
        other = todo.pop()
        if other not in found:
            found.add(other)
            todo += UPSTREAM[other]
    return found


def layer(module: str) -> str:
    """``core``, ``top``, ``package`` (crossrank itself) or the stage a module belongs to."""
    if module == PACKAGE:
        return "package"
    if module in TOP:
        return "top"
    part = module.split(".")[1]
    if part == "core":
        return "core"
    if part in UPSTREAM:
        return part
    raise AssertionError(f"{module} belongs to no layer: put it in crossrank/core/, a stage subpackage, or on top (config, plan)")


def violation(edge: Import) -> str | None:
    """Why an import breaks the layering, or None."""
    source, target = layer(edge.importer), layer(edge.imported)
    if edge.importer == f"{CORE}.errors":
        return "errors is a leaf: it imports nothing of the project"
    if target == "package":
        return None
    if source == "core":
        return None if target == "core" else "the core never imports a stage or the configuration layer"
    if target == "top":
        return None if (edge.importer, edge.imported) == TOP else "config and plan sit on top: only config may import plan"
    if source in ("top", "package") or target in ("core", source) or target in upstream_of(source):
        return None
    return f"stage {source} imports stage {target}, which is not upstream of it (upstream: {sorted(upstream_of(source)) or 'none'})"


def _implied(edge: Import, edges: list[Import]) -> bool:
    """A package imported on the way to one of its modules by the same statement (report the module only)."""
    return any(other.line == edge.line and other.imported.startswith(edge.imported + ".") for other in edges)


def _location(edge: Import) -> str:
    return f"{edge.path.relative_to(PROJECT)}:{edge.line}"


def test_every_module_belongs_to_a_layer():
    for module in GRAPH.paths:
        layer(module)
    assert {module.split(".")[1] for module in GRAPH.paths if layer(module) not in ("core", "top", "package")} == set(UPSTREAM)


def test_no_import_goes_up_a_layer():
    problems = [
        f"{_location(edge)}: {edge.importer} imports {edge.imported}: {reason}"
        for edges in GRAPH.edges.values()
        for edge in edges
        if (reason := violation(edge)) and not _implied(edge, edges)
    ]
    assert not problems, "upward imports:\n" + "\n".join(problems)


def test_there_is_no_import_cycle():
    cycles = GRAPH.cycles()
    assert not cycles, "import cycles (module-level and function-level imports):\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_package_and_the_stage_roots_run_no_code():
    for module in [PACKAGE, CORE, *(f"{PACKAGE}.{stage}" for stage in UPSTREAM)]:
        assert GRAPH.is_inert(module), f"{module}/__init__.py should hold only its docstring: import from the modules"


@pytest.mark.parametrize(
    ("importer", "imported", "expected"),
    [
        ("crossrank.core.io", "crossrank.dense.hnsw", "the core never imports"),
        ("crossrank.core.errors", "crossrank.core.io", "errors is a leaf"),
        ("crossrank.prepare.steps", "crossrank.plan", "config and plan sit on top"),
        ("crossrank.dense.exact", "crossrank.evaluate.metrics", "stage dense imports stage evaluate, which is not upstream"),
        ("crossrank.efficiency.report", "crossrank.report.tables", "stage efficiency imports stage report"),
        ("crossrank.report.steps", "crossrank.prepare.registry", None),
        ("crossrank.plan", "crossrank.track.mlflow_store", None),
        ("crossrank.config", "crossrank.plan", None),
        ("crossrank.track.steps", "crossrank.core.io", None),
    ],
)
def test_a_planted_violation_is_named(importer: str, imported: str, expected: str | None):
    reason = violation(Import(importer, imported, PROJECT / "src", 1))
    assert (reason is None) if expected is None else (reason is not None and expected in reason), reason


def test_the_stage_dag_is_the_workflow_dag(workflow_dag):
    """Every rule-graph edge runs from a rule of a stage to a rule of the same stage or of a stage downstream of it."""
    rules = workflow_rules(PROJECT)
    stage = {name: rule.rule_file for name, rule in rules.items()}
    wrong = [
        f"{producer} ({stage[producer]}.smk) -> {consumer} ({stage[consumer]}.smk)"
        for producer, consumer in sorted(workflow_dag.edges)
        if producer in stage
        and consumer in stage
        and stage[producer] != stage[consumer]
        and stage[producer] not in upstream_of(stage[consumer])
    ]
    assert not wrong, "rule-graph edges against UPSTREAM:\n" + "\n".join(wrong)
    used = {(stage[p], stage[c]) for p, c in workflow_dag.edges if p in stage and c in stage and stage[p] != stage[c]}
    assert used, "the rule graph has no edge between stages"
