"""Tests of crossrank.core.joblog: a job's log file, and bad input ending a job with one line instead of a traceback."""

from __future__ import annotations

import io
import logging
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossrank.core.errors import ConfigError, InputError
from crossrank.core.joblog import log_to_file


@pytest.fixture
def job(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Undo everything :func:`log_to_file` changes; yields a stand-in for the console (``sys.__stderr__``)."""
    root = logging.getLogger()
    level, stderr = root.level, sys.stderr
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    console = io.StringIO()
    monkeypatch.setattr(sys, "__stderr__", console)
    yield console
    opened, sys.stderr = sys.stderr, stderr
    if opened is not stderr:
        opened.close()  # the log file that log_to_file opened
    logging.captureWarnings(False)
    root.setLevel(level)


def _raised(error: BaseException) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise error
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_logging_and_stderr_go_to_the_log_file(job, tmp_path):
    path = tmp_path / "logs" / "job.log"  # its directory does not exist yet
    log = log_to_file(path)
    log.info("indexed %d documents", 4)
    print("analyze documents: 100%", file=sys.stderr)
    logging.getLogger("crossrank.bm25").debug("below INFO: not logged")
    lines = Path(path).read_text(encoding="utf-8").splitlines()  # line-buffered: readable while the job runs
    assert log.name == "crossrank"
    assert lines[0].endswith(" INFO crossrank: indexed 4 documents")
    assert lines[1:] == ["analyze documents: 100%"]
    assert job.getvalue() == ""


def test_warnings_go_to_the_log_file(job, tmp_path):
    path = tmp_path / "job.log"
    log_to_file(path)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("tokenizer is slow", UserWarning, stacklevel=1)
    text = path.read_text(encoding="utf-8")
    assert " WARNING py.warnings: " in text and "UserWarning: tokenizer is slow" in text


@pytest.mark.parametrize("error", [InputError("data/docs.tsv", "duplicate docid 'd1'.", line=3), ConfigError("'bm25.k1' must be > 0.")])
def test_bad_input_or_configuration_ends_the_job_with_one_line(job, tmp_path, error):
    path = tmp_path / "job.log"
    log_to_file(path)
    sys.excepthook(*_raised(error))
    assert path.read_text(encoding="utf-8") == f"Error: {error}\n"
    assert job.getvalue() == f"Error: {error}\n"  # and on the console


def test_any_other_error_keeps_its_traceback(job, tmp_path):
    path = tmp_path / "job.log"
    log_to_file(path)
    sys.excepthook(*_raised(RuntimeError("out of memory")))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("Traceback (most recent call last):")
    assert text.endswith("RuntimeError: out of memory\n")
    assert not any(line.startswith("Error:") for line in text.splitlines())
