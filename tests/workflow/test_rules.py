"""Every rule, its script and its step carry one name, and live in the room named after the rule file.

``rule bm25_index`` in ``workflow/rules/bm25.smk`` runs ``workflow/scripts/bm25_index.py``, which
calls ``crossrank.bm25.steps.bm25_index``: from a rule, its code is one hop away.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from workflow_rules import script_calls, workflow_rules

PROJECT = Path(__file__).resolve().parents[2]
RULES = workflow_rules(PROJECT)
STAGES = sorted({rule.rule_file for rule in RULES.values()})


def test_the_rule_files_are_the_stage_subpackages():
    packages = {p.parent.name for p in (PROJECT / "src/crossrank").glob("*/steps.py")}
    assert packages == set(STAGES), "each workflow/rules/<stage>.smk has src/crossrank/<stage>/steps.py and vice versa"
    # common: the plan and shared input functions; preflight: read before params.yaml (its strict YAML check)
    assert {p.stem for p in (PROJECT / "workflow/rules").glob("*.smk")} == {*STAGES, "common", "preflight"}


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule_script_and_step_share_the_rule_name(name: str):
    rule = RULES[name]
    assert rule.script == name, f"rule {name} runs workflow/scripts/{rule.script}.py; name the script after the rule"
    script = PROJECT / "workflow/scripts" / f"{name}.py"
    module = f"crossrank.{rule.rule_file}.steps"
    assert script_calls(script) == [(module, name)], f"{script.name} must call {module}.{name} and nothing else"
    function = getattr(importlib.import_module(module), name)
    assert function.__module__ == module and callable(function) and function.__doc__


def test_every_script_belongs_to_a_rule():
    scripts = {p.stem for p in (PROJECT / "workflow/scripts").glob("*.py")}
    assert scripts == {rule.script for rule in RULES.values()}
