"""Making the library importable by every job, whatever Python runs it.

In the project's virtual environment the package is installed; under ``--sdm conda`` or on
cluster nodes a rule's script runs in another interpreter, so the workflow exports the
checkout's ``src/`` on ``PYTHONPATH`` (Snakemake passes the environment on to jobs).
"""

from __future__ import annotations

import os


def share_source_path(source_dir: str) -> None:
    """Prepend ``source_dir`` to ``PYTHONPATH`` for child processes (once)."""
    current = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if source_dir not in current:
        os.environ["PYTHONPATH"] = os.pathsep.join([source_dir, *current])
