from __future__ import annotations

from crossrank.efficiency.figure import efficiency_figure


def test_efficiency_figure_writes_a_png(study, tmp_path):
    path = tmp_path / "figure.png"
    efficiency_figure(study, path, "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
