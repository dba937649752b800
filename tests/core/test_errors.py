"""Tests of crossrank.core.errors: how an input error reads."""

from __future__ import annotations

from crossrank.core.errors import InputError


def test_input_error_message_format() -> None:
    error = InputError("data/x.tsv", "bad thing.", line=7, fix="do this.")
    assert str(error) == "data/x.tsv:7: bad thing. Fix: do this."
    assert str(InputError("data/x.tsv", "bad thing.")) == "data/x.tsv: bad thing."
    assert isinstance(error, ValueError)
