"""The trainer's epoch checkpoints (``checkpoint-<step>`` directories), shared by every stage that trains a model.

The trainer writes a checkpoint in place, file by file, its ``trainer_state.json`` last; a job killed while it
writes one leaves a directory with the weights of the new epoch but no state (or a state cut short). Resuming from
it would restart the step count from 0 on half-saved weights, or fail, so only a checkpoint whose state file is
complete counts (:func:`last_checkpoint`), and the trainer simply writes that epoch's checkpoint again. When a
training is done its checkpoints are moved aside in one rename before they are deleted (:func:`remove_checkpoints`),
so a kill during the deletion never leaves a half-deleted checkpoint for the next run to resume from.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

CHECKPOINT_PREFIX = "checkpoint-"
TRAINER_STATE = "trainer_state.json"  # the trainer writes it last: its presence, whole, completes a checkpoint
DISCARDED_SUFFIX = ".discarded"


def _step(path: Path) -> int | None:
    suffix = path.name[len(CHECKPOINT_PREFIX) :]
    return int(suffix) if path.name.startswith(CHECKPOINT_PREFIX) and suffix.isdigit() else None


def is_complete(checkpoint: Path) -> bool:
    """Whether the trainer finished writing ``checkpoint``: its state file is there and is whole JSON."""
    try:
        state = json.loads((checkpoint / TRAINER_STATE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(state, dict) and "global_step" in state


def last_checkpoint(directory: Path) -> Path | None:
    """The complete checkpoint of the highest step under ``directory`` (where a killed training resumes), or None.

    A checkpoint the trainer was still writing when its job was killed is skipped: its epoch is trained again.
    """
    found = [p for p in Path(directory).glob(f"{CHECKPOINT_PREFIX}*") if _step(p) is not None and is_complete(p)]
    return max(found, key=lambda p: _step(p) or 0) if found else None


def checkpoint_epoch(checkpoint: Path | None) -> int:
    """The number of whole epochs a complete checkpoint holds (0 for None: a training from scratch)."""
    if checkpoint is None:
        return 0
    return round(float(json.loads((checkpoint / TRAINER_STATE).read_text(encoding="utf-8")).get("epoch") or 0))


def remove_checkpoints(directory: Path) -> None:
    """Delete a finished training's checkpoint directory: renamed aside first (atomic), then deleted.

    A kill during the deletion leaves only the renamed directory, which no training resumes from; the next call
    for the same directory deletes it.
    """
    directory = Path(directory)
    discarded = directory.with_name(directory.name + DISCARDED_SUFFIX)
    shutil.rmtree(discarded, ignore_errors=True)  # left by a job killed while it deleted
    try:
        os.replace(directory, discarded)
    except FileNotFoundError:
        return
    except OSError:  # the old one could not be deleted whole: delete in place (the output is written already)
        shutil.rmtree(directory, ignore_errors=True)
        return
    shutil.rmtree(discarded, ignore_errors=True)
