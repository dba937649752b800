"""Which device and floating-point precision a model job runs with (encoders and NLLB share this)."""

from __future__ import annotations


def resolve_device(setting: str, shard: int = 0) -> str:
    """``auto``: the GPU ``shard`` mod the GPU count when CUDA is available, else the CPU."""
    import torch

    if setting != "auto":
        return setting
    if torch.cuda.is_available():
        return f"cuda:{shard % torch.cuda.device_count()}"
    return "cpu"


def resolve_precision(setting: str, device: str) -> str:
    """``auto``: bfloat16 on a GPU that supports it, float16 on other GPUs, float32 on CPU."""
    import torch

    if setting != "auto":
        return setting
    if device.startswith("cuda"):
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return "float32"
