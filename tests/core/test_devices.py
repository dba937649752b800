"""Tests of crossrank.core.devices: the device and precision a job picks."""

from __future__ import annotations

import pytest

from crossrank.core.devices import resolve_device, resolve_precision


def test_auto_device_spreads_shards_over_gpus_and_picks_half_precision(monkeypatch: pytest.MonkeyPatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert [resolve_device("auto", shard) for shard in range(2)] == ["cpu", "cpu"]
    assert resolve_precision("auto", "cpu") == "float32"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert [resolve_device("auto", shard) for shard in range(3)] == ["cuda:0", "cuda:1", "cuda:0"]
    assert resolve_device("cuda:3", 0) == "cuda:3"
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert resolve_precision("auto", "cuda:1") == "float16"
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert resolve_precision("auto", "cuda:0") == "bfloat16"
    assert resolve_precision("float32", "cuda:0") == "float32"
