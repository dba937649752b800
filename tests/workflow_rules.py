"""The rules of ``workflow/rules/*.smk`` as the tests see them: name, rule file, script, and what the script calls."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

_RULE = re.compile(r"^\s*rule (\w+):\s*$", re.MULTILINE)
_SCRIPT = re.compile(r"^\s*script:\s*\n\s*\"\.\./scripts/([\w.]+)\"", re.MULTILINE)


@dataclass(frozen=True)
class Rule:
    """One rule: its name, the rule file (stem) defining it, and its script (stem), if any."""

    name: str
    rule_file: str
    script: str | None


def workflow_rules(project: Path) -> dict[str, Rule]:
    """Every named rule of ``workflow/rules/*.smk`` (a rule's body runs up to the next rule)."""
    rules: dict[str, Rule] = {}
    for path in sorted((project / "workflow/rules").glob("*.smk")):
        text = path.read_text(encoding="utf-8")
        starts = list(_RULE.finditer(text))
        ends = [match.start() for match in starts[1:]] + [len(text)] if starts else []
        for match, end in zip(starts, ends, strict=True):
            body = text[match.end() : end]
            script = _SCRIPT.search(body)
            rules[match.group(1)] = Rule(match.group(1), path.stem, Path(script.group(1)).stem if script else None)
    return rules


def script_calls(script: Path) -> list[tuple[str, str]]:
    """``(module, function)`` of every ``steps.<function>(...)`` call in a workflow script, with the steps module it imports."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    steps = {
        alias.asname or alias.name: f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            module = steps.get(node.func.value.id)
            if module is not None:
                calls.append((module, node.func.attr))
    return calls
