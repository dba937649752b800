"""Tests of crossrank.core.figures: PNGs and PDFs written atomically, byte-stable, in one style, and their figures closed."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from crossrank.core.figures import PAPER_STYLE, save_figure

PNG = b"\x89PNG\r\n\x1a\n"


def _figure() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1, 2], [1, 0, 2])
    ax.set_title("t")
    return fig


def test_save_figure_writes_a_png_and_a_pdf_beside_it_and_nothing_else(tmp_path):
    save_figure(_figure(), tmp_path / "figures" / "f.png")
    assert (tmp_path / "figures" / "f.png").read_bytes()[:8] == PNG
    assert (tmp_path / "figures" / "f.pdf").read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["f.pdf", "f.png"]  # no temporary file left


def test_the_pdf_is_byte_stable_and_undated(tmp_path):
    save_figure(_figure(), tmp_path / "a.png")
    save_figure(_figure(), tmp_path / "b.png")
    pdf = (tmp_path / "a.pdf").read_bytes()
    assert pdf == (tmp_path / "b.pdf").read_bytes()
    assert b"CreationDate" not in pdf and b"matplotlib" not in pdf.lower()


def test_every_figure_is_drawn_in_the_shared_style():
    import matplotlib

    assert all(matplotlib.rcParams[key] == value for key, value in PAPER_STYLE.items() if key != "axes.prop_cycle")


def test_the_same_figure_gives_the_same_bytes(tmp_path):
    save_figure(_figure(), tmp_path / "a.png")
    save_figure(_figure(), tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_the_png_carries_no_software_stamp(tmp_path):
    save_figure(_figure(), tmp_path / "f.png")
    assert b"Software" not in (tmp_path / "f.png").read_bytes()


def test_save_figure_closes_the_figure(tmp_path):
    fig = _figure()
    save_figure(fig, tmp_path / "f.png")
    assert not plt.fignum_exists(fig.number)


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "f.png"
    target.write_bytes(b"old")
    fig = _figure()

    def fail(fname, *args, **kwargs):
        Path(fname).write_bytes(b"partial")  # a save interrupted half-way
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        save_figure(fig, target)
    plt.close(fig)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]
