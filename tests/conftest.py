"""Shared fixtures: expensive tiny models are built once per test session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).parent))

from tiny_models import build_tiny_bert, build_tiny_modernbert, build_tiny_nllb, build_tiny_remote_code, build_tiny_xlmr

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT (hidden size 32) with its own WordPiece tokenizer, saved to disk."""
    return build_tiny_bert(tmp_path_factory.mktemp("models") / "tiny-bert")


@pytest.fixture(scope="session")
def tiny_xlmr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer XLM-RoBERTa (XLM-R, multilingual-E5) with a Unigram tokenizer, saved to disk."""
    return build_tiny_xlmr(tmp_path_factory.mktemp("models") / "tiny-xlmr")


@pytest.fixture(scope="session")
def tiny_modernbert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer ModernBERT (mmBERT) with a Unigram tokenizer, saved to disk."""
    return build_tiny_modernbert(tmp_path_factory.mktemp("models") / "tiny-modernbert")


@pytest.fixture(scope="session")
def tiny_remote_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT whose classes live in the repository's own code (like Nomic's), saved to disk."""
    return build_tiny_remote_code(tmp_path_factory.mktemp("models") / "tiny-remote")


@pytest.fixture(scope="session")
def tiny_nllb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2+2-layer M2M100 (d_model 32, 128 positions) with an NllbTokenizer, saved to disk."""
    return build_tiny_nllb(tmp_path_factory.mktemp("models") / "tiny-nllb")


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The project checkout the tests run from."""
    return PROJECT
