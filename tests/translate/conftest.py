"""Fixtures of the translate tests: the settings of the tiny NLLB model."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossrank.translate.nllb import NllbSettings


@pytest.fixture
def settings(tiny_nllb: Path) -> NllbSettings:
    """The tiny NLLB with pieces of at most 48 tokens and cache chunks of 3 pieces, so a few documents fill several chunks."""
    return NllbSettings(model=str(tiny_nllb), num_beams=2, max_input_tokens=48, max_output_tokens=16, batch_tokens=256, chunk_size=3)
