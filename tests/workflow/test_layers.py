"""The library's layers, enforced on its imports: core below the stages, the stages in DAG order, config and plan on top.

- ``crossrank.core`` (and its leaf ``errors``) never imports a stage, nor ``config``/``plan``;
- a stage imports the core, itself, and the stages upstream of it in the DAG, never downstream;
- nothing imports the top layer but the top layer itself, along :data:`TOP_EDGES`
  (``config`` -> ``plan``; ``paper_settings``, the generated settings table, -> ``config``);
- there is no import cycle, however lazy the import.

:data:`UPSTREAM` is the stage DAG; :func:`test_the_stage_dag_is_the_workflow_dag` checks it
against the rule graph Snakemake builds, both ways (no rule edge against it, no declared edge
without a rule edge), so the two cannot drift apart.
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
    "finetune": ("prepare",),
    "bm25": ("translate",),
    "dense": ("translate", "finetune"),
    "fusion": ("bm25", "dense"),
    "evaluate": ("bm25", "dense", "fusion", "rerank"),
    "analyse": ("bm25", "dense", "fusion", "rerank"),
    "rerank": ("bm25", "dense"),
    "efficiency": ("dense",),
    "report": ("evaluate", "analyse", "efficiency"),  # the findings report weighs HNSW's speed
    "track": ("report",),
}
CORE = f"{PACKAGE}.core"
TOP = (f"{PACKAGE}.config", f"{PACKAGE}.plan", f"{PACKAGE}.paper_settings")
TOP_EDGES = {(f"{PACKAGE}.config", f"{PACKAGE}.plan"), (f"{PACKAGE}.paper_settings", f"{PACKAGE}.config")}


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
    raise AssertionError(f"{module} belongs to no layer: put it in crossrank/core/, a stage subpackage, or on top ({', '.join(TOP)})")


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
        allowed = " and ".join(f"{a} -> {b}" for a, b in sorted(TOP_EDGES))
        return None if (edge.importer, edge.imported) in TOP_EDGES else f"config, plan and paper_settings sit on top: only {allowed}"
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


def test_the_walker_finds_lazy_relative_and_package_imports_and_cycles(tmp_path: Path):
    package = tmp_path / "crossrank"
    for path, text in {
        "__init__.py": '"""root"""\n',
        "core/__init__.py": '"""core"""\nVERSION = 1\n',
        "core/io.py": "import json\n\n\ndef load():\n    from crossrank.dense import exact  # lazy\n",
        "dense/__init__.py": "from .exact import search\n",
        "dense/exact.py": "from ..core import io\n\n\ndef search():\n    return io\n",
    }.items():
        (package / path).parent.mkdir(parents=True, exist_ok=True)
        (package / path).write_text(text)
    graph = ImportGraph(tmp_path)
    assert graph.imports("crossrank.core.io") == {"crossrank", "crossrank.dense", "crossrank.dense.exact"}
    assert graph.imports("crossrank.dense.exact") == {"crossrank", "crossrank.core", "crossrank.core.io"}
    assert graph.imports("crossrank.dense") == {"crossrank", "crossrank.dense.exact"}
    assert graph.cycles() == [["crossrank.core.io", "crossrank.dense.exact", "crossrank.core.io"]]
    lazy = next(edge for edge in graph.edges["crossrank.core.io"] if edge.imported == "crossrank.dense.exact")
    assert lazy.line == 5 and "the core never imports" in violation(lazy)
    assert graph.is_inert("crossrank") and graph.is_inert("crossrank.core") and not graph.is_inert("crossrank.dense")


@pytest.mark.parametrize(
    ("importer", "imported", "expected"),
    [
        ("crossrank.core.io", "crossrank.dense.hnsw", "the core never imports"),
        ("crossrank.core.errors", "crossrank.core.io", "errors is a leaf"),
        ("crossrank.prepare.steps", "crossrank.plan", "config, plan and paper_settings sit on top"),
        ("crossrank.dense.exact", "crossrank.evaluate.metrics", "stage dense imports stage evaluate, which is not upstream"),
        ("crossrank.analyse.steps", "crossrank.evaluate.metrics", "stage analyse imports stage evaluate"),
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
    """Rule-graph edges between stages are exactly the declared edges, up to transitivity.

    Every edge runs from a rule of a stage to a rule of the same stage or a stage downstream of it,
    and every directly declared upstream stage feeds the stage through at least one rule edge.
    """
    stage = {name: rule.rule_file for name, rule in workflow_rules(PROJECT).items()}
    between = {(stage[p], stage[c]) for p, c in workflow_dag.edges if p in stage and c in stage and stage[p] != stage[c]}
    against = sorted(f"{producer} -> {consumer}" for producer, consumer in between if producer not in upstream_of(consumer))
    assert not against, "stage edges of the rule graph that UPSTREAM does not allow:\n" + "\n".join(against)
    unused = sorted(f"{upstream} -> {name}" for name, ups in UPSTREAM.items() for upstream in ups if (upstream, name) not in between)
    assert not unused, "UPSTREAM declares stage edges no rule edge takes:\n" + "\n".join(unused)
