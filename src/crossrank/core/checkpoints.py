"""The trainer's epoch checkpoints (``checkpoint-<step>`` directories), shared by every stage that trains a model."""

from __future__ import annotations

from pathlib import Path

CHECKPOINT_PREFIX = "checkpoint-"


def last_checkpoint(directory: Path) -> Path | None:
    """The checkpoint of the highest step under ``directory`` (where a killed training resumes), or None."""
    found = [p for p in Path(directory).glob(f"{CHECKPOINT_PREFIX}*") if p.name[len(CHECKPOINT_PREFIX) :].isdigit()]
    return max(found, key=lambda p: int(p.name[len(CHECKPOINT_PREFIX) :])) if found else None
