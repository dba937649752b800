"""Logging for pipeline jobs: everything a job prints, progress bars included, goes to its log file."""

from __future__ import annotations

import logging
import os
import sys
from types import TracebackType

from crossrank.core.errors import ConfigError, InputError


def log_to_file(path: str | os.PathLike[str]) -> logging.Logger:
    """Send stderr (tqdm progress, warnings, tracebacks) and ``logging`` to ``path``; return the job logger."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    stream = open(path, "w", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives as long as the job
    sys.stderr = stream
    logging.basicConfig(level=logging.INFO, stream=stream, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    logging.captureWarnings(True)
    sys.excepthook = _report
    return logging.getLogger("crossrank")


def _report(kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> None:
    """Bad input or configuration ends the job with its one-sentence message (log and console), not a traceback."""
    if isinstance(error, InputError | ConfigError):
        for stream in {sys.stderr, sys.__stderr__}:
            if stream is not None:
                print(f"Error: {error}", file=stream, flush=True)
        return
    sys.__excepthook__(kind, error, traceback)
