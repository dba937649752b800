"""Configuration files read strictly, before anything uses them: YAML syntax errors and repeated keys, with file and line.

Snakemake's own reader names neither the file nor the line of a syntax error ("Config file is not
valid JSON or YAML"), and PyYAML keeps the last of two equal keys silently. A core module, so the
launcher (:mod:`crossrank.core.resume`) can check the files named on its command line too.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from crossrank.core.errors import ConfigError


def _repeated_keys(node: yaml.Node, source: str, path: list[str]) -> None:
    """Walk a composed YAML node tree; raise on a mapping key given twice, with its dotted path and both lines."""
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value in node.value:
            key, line = str(key_node.value), key_node.start_mark.line + 1
            if key in first:
                raise ConfigError(
                    f"{source}, line {line}: key {'.'.join([*path, key])!r} is given twice (first on line {first[key]}); YAML keeps "
                    "only the last, so the first would be ignored silently. Fix: keep one of them."
                )
            first[key] = line
            _repeated_keys(value, source, [*path, key])
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _repeated_keys(item, source, path)


def check_config_files(paths: list[str | os.PathLike[str]]) -> None:
    """Refuse a YAML syntax error or a key given twice in any configuration file, naming the file and line.

    Run before the configuration is used: Snakemake's own reader (PyYAML) keeps the last of two equal keys.
    """
    for path in paths:
        try:
            node = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = f", line {mark.line + 1}" if mark is not None else ""
            raise ConfigError(f"{path}{line}: not valid YAML ({error.problem or error}). Fix the file there.") from None
        if node is not None:
            _repeated_keys(node, str(path), [])
