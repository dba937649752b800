"""Tests of crossrank.core.checkpoints: only complete checkpoints are resumed from, and deletion goes through a rename."""

from __future__ import annotations

import json
from pathlib import Path

from crossrank.core.checkpoints import TRAINER_STATE, checkpoint_epoch, is_complete, last_checkpoint, remove_checkpoints


def _checkpoint(directory: Path, step: int, epoch: float | None = None, state: str | None = None) -> Path:
    """A checkpoint directory with weights; its state file as ``state`` (raw text), or a whole one if ``epoch`` is given."""
    path = directory / f"checkpoint-{step}"
    path.mkdir(parents=True)
    (path / "model.safetensors").write_bytes(b"weights")
    if epoch is not None:
        (path / TRAINER_STATE).write_text(json.dumps({"epoch": epoch, "global_step": step}))
    elif state is not None:
        (path / TRAINER_STATE).write_text(state)
    return path


def test_the_last_complete_checkpoint_is_resumed_from_and_one_being_written_is_skipped(tmp_path):
    assert last_checkpoint(tmp_path / "none") is None
    _checkpoint(tmp_path, 2, epoch=1.0)
    ten = _checkpoint(tmp_path, 10, epoch=2.0)
    _checkpoint(tmp_path, 14)  # killed before the trainer wrote its state
    _checkpoint(tmp_path, 18, state='{"epoch": 4.0, "glo')  # killed while it wrote it
    (tmp_path / "checkpoint-x").mkdir()
    assert last_checkpoint(tmp_path) == ten  # 10 > 2 numerically, though "10" < "2" as text
    assert not is_complete(tmp_path / "checkpoint-14") and not is_complete(tmp_path / "checkpoint-18")
    assert checkpoint_epoch(ten) == 2 and checkpoint_epoch(None) == 0


def test_checkpoints_are_renamed_aside_then_deleted_and_a_half_deleted_leftover_goes_too(tmp_path):
    checkpoints = tmp_path / "tiny+qd.checkpoints"
    _checkpoint(checkpoints, 2, epoch=1.0)
    leftover = tmp_path / "tiny+qd.checkpoints.discarded"
    _checkpoint(leftover, 4)  # a job killed while it deleted: never resumed from (not under the checkpoint directory)
    remove_checkpoints(checkpoints)
    assert list(tmp_path.iterdir()) == []
    remove_checkpoints(checkpoints)  # nothing there: nothing to do
