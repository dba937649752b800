"""The static import graph of ``src/crossrank``: what each module (and each workflow script) imports.

Read from the source with :mod:`ast`, not by importing: every ``import`` and ``from ... import``
counts, at module level or inside a function (a lazy import is still a dependency of the code
that runs it), relative imports included. ``from crossrank.dense import steps`` imports the
module ``crossrank.dense.steps`` and, as Python does, the packages ``crossrank`` and
``crossrank.dense`` on the way.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "crossrank"


@dataclass(frozen=True)
class Import:
    """One project module importing another, with where it does so."""

    importer: str
    imported: str
    path: Path
    line: int


class ImportGraph:
    """Modules of one package under ``src`` and the project imports of each."""

    def __init__(self, src: Path, package: str = PACKAGE):
        self.src = Path(src)
        self.package = package
        self.paths: dict[str, Path] = {}
        for path in sorted((self.src / package).rglob("*.py")):
            parts = list(path.relative_to(self.src).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            self.paths[".".join(parts)] = path
        self.edges: dict[str, list[Import]] = {name: self._imports(name, path) for name, path in self.paths.items()}

    def imports(self, module: str) -> set[str]:
        """The project modules ``module`` imports directly."""
        return {edge.imported for edge in self.edges[module]}

    def closure(self, modules: Iterable[str]) -> set[str]:
        """``modules`` and every project module they import, transitively."""
        seen: set[str] = set()
        todo = list(modules)
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo += self.imports(module)
        return seen

    def file_imports(self, path: Path) -> list[Import]:
        """The project modules a file outside the package (a workflow script) imports."""
        return self._imports(None, Path(path))

    def cycles(self) -> list[list[str]]:
        """One import cycle per strongly connected component (Tarjan): ``[a, b, ..., a]``, the shortest from its first module."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []

        def visit(module: str) -> None:
            index[module] = low[module] = len(index)
            stack.append(module)
            on_stack.add(module)
            for other in sorted(self.imports(module)):
                if other not in index:
                    visit(other)
                    low[module] = min(low[module], low[other])
                elif other in on_stack:
                    low[module] = min(low[module], index[other])
            if low[module] == index[module]:
                component = []
                while True:
                    other = stack.pop()
                    on_stack.discard(other)
                    component.append(other)
                    if other == module:
                        break
                if len(component) > 1:
                    found.append(self._shortest_cycle(min(component), set(component)))

        for module in sorted(self.paths):
            if module not in index:
                visit(module)
        return sorted(found)

    def _shortest_cycle(self, start: str, component: set[str]) -> list[str]:
        """The shortest import path from ``start`` back to itself inside one component (breadth first)."""
        previous: dict[str, str] = {}
        frontier = [start]
        while frontier:
            following = []
            for module in frontier:
                for other in sorted(self.imports(module) & component):
                    if other == start:
                        path = [module]
                        while path[-1] != start:
                            path.append(previous[path[-1]])
                        return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, start]
                    if other not in previous:
                        previous[other] = module
                        following.append(other)
            frontier = following
        raise AssertionError(f"{start} is in a cycle but no path leads back to it")

    def is_inert(self, module: str) -> bool:
        """A package ``__init__`` holding only its docstring and constants: importing it runs no code of the project."""
        path = self.paths[module]
        if path.name != "__init__.py":
            return False
        body = ast.parse(path.read_text(encoding="utf-8")).body
        return all(
            isinstance(node, ast.Expr | ast.Assign) and not isinstance(getattr(node, "value", None), ast.Call | ast.Lambda) for node in body
        )

    def _resolve(self, target: str) -> str | None:
        """The project module a dotted import target names (its longest module prefix), or None outside the package."""
        parts = target.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in self.paths:
                return candidate
        return None

    def _imports(self, module: str | None, path: Path) -> list[Import]:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found: dict[str, Import] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    if module is None:
                        continue
                    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                    package = package[: len(package) - (node.level - 1)]
                    base = ".".join([*package, *([node.module] if node.module else [])])
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                resolved = self._resolve(target)
                if resolved is None or resolved == module:
                    continue
                parents = resolved.split(".")
                for end in range(1, len(parents) + 1):  # importing a.b.c imports a and a.b first
                    name = ".".join(parents[:end])
                    if name in self.paths and name != module and name not in found:
                        found[name] = Import(module or str(path), name, path, node.lineno)
        return sorted(found.values(), key=lambda edge: edge.imported)
