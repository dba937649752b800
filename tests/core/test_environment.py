"""Tests of crossrank.core.environment: the source path every child process is given."""

from __future__ import annotations

import os

from crossrank.core.environment import share_source_path


def test_share_source_path_prepends_once(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/existing")
    share_source_path("/project/src")
    share_source_path("/project/src")
    assert os.environ["PYTHONPATH"].split(os.pathsep) == ["/project/src", "/existing"]
