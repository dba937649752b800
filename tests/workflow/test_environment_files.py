"""The conda environment for `--sdm conda` must pin what pyproject.toml pins."""

from __future__ import annotations

import re
import tomllib

import yaml


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^;\s]+)", requirement.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_conda_environment_matches_pyproject_pins(project_root):
    project = _pins(tomllib.loads((project_root / "pyproject.toml").read_text())["project"]["dependencies"])
    environment = yaml.safe_load((project_root / "envs/pipeline.yaml").read_text())
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    conda = _pins(pip_section)
    assert conda, "envs/pipeline.yaml pins nothing"
    assert conda["torch"] == "2.13.0"
    for package, version in conda.items():
        assert project.get(package) == version, f"{package}: envs/pipeline.yaml {version} vs pyproject.toml {project.get(package)}"


def test_every_rule_uses_the_pinned_environment(project_root):
    """Every rule declares the environment (``use rule ... with:`` inherits its parent's)."""
    for rules in (project_root / "workflow/rules").glob("*.smk"):
        text = rules.read_text()
        definitions = re.findall(r"^\s*rule \w+:", text, flags=re.MULTILINE)  # conditional rules are indented
        assert len(definitions) == text.count('"../../envs/pipeline.yaml"'), rules.name
