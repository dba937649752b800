"""Tests of crossrank.rerank.scoring's score cache on damaged chunks (no model needed: the scorer is a fake)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from crossrank.core.cache_store import DAMAGED_DIRECTORY
from crossrank.rerank.scoring import cached_scores

FINGERPRINT = {"kind": "cross-encoder", "model": "local@fake", "max_length": 16, "precision": "float32", "storage": "float32"}
PAIRS = [(f"query {i % 3}", f"document {i}" + "." * i) for i in range(9)]


class CountingScorer:
    """Deterministic fake cross-encoder: records every pair it scores."""

    def __init__(self):
        self.scored: list[tuple[str, str]] = []

    def factory(self):
        def score(pairs):
            self.scored.extend(pairs)
            return np.array([len(q) * 10 + len(d) for q, d in pairs], dtype=np.float32)

        return score


def _flip_last_score(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x40  # one float32's exponent: a silent, large change
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-3])


def _empty_seal(path: Path) -> None:
    path.with_name(path.name.split(".")[0] + ".sha256").write_text("{}", encoding="utf-8")


@pytest.mark.parametrize("spoil", [_flip_last_score, _truncate, _empty_seal], ids=lambda f: f.__name__.strip("_"))
def test_a_damaged_score_chunk_is_moved_aside_and_exactly_its_pairs_are_scored_again(tmp_path, spoil, caplog):
    expected = cached_scores(PAIRS, tmp_path, FINGERPRINT, CountingScorer().factory, chunk_size=4)
    (directory,) = tmp_path.iterdir()
    chunk_file = sorted(directory.glob("*.vectors.npy"))[0]
    rows = np.load(chunk_file).shape[0]
    spoil(chunk_file)

    again = CountingScorer()
    with caplog.at_level(logging.WARNING, logger="crossrank"):
        scores = cached_scores(PAIRS, tmp_path, FINGERPRINT, again.factory, chunk_size=4)
    np.testing.assert_array_equal(scores, expected)
    assert len(again.scored) == rows
    (moved,) = (directory / DAMAGED_DIRECTORY).iterdir()
    assert (moved / chunk_file.name).is_file()
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert str(directory / chunk_file.name.split(".")[0]) in message
