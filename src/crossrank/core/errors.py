"""The exception types of the pipeline, each reported to the user as one actionable sentence.

A leaf module: it imports nothing of the project, so every layer (core, stages, configuration)
can raise them without import cycles.
"""

from __future__ import annotations

import os


class InputError(ValueError):
    """Bad input data, reported as one sentence naming the file, the line and a fix."""

    def __init__(self, path: str | os.PathLike[str], message: str, line: int | None = None, fix: str = ""):
        location = f"{path}:{line}" if line is not None else str(path)
        text = f"{location}: {message}"
        if fix:
            text += f" Fix: {fix}"
        super().__init__(text)
        self.path = str(path)
        self.line = line


class ConfigError(ValueError):
    """``params.yaml`` (or an overlay) asks for something the pipeline cannot do; the message names the key and the fix."""


class RunNameError(ValueError):
    """A run name that does not follow the run-name grammar (see :mod:`crossrank.core.run_name`)."""
