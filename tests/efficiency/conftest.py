"""The efficiency tests' shared fixture: one small study, run once and read by the study, report and figure tests."""

from __future__ import annotations

import pandas as pd
import pytest

from crossrank.dense.hnsw import HnswSettings
from crossrank.efficiency.study import StudySettings, run_study


@pytest.fixture(scope="session")
def study() -> pd.DataFrame:
    """Sizes 600 and 2000 (synthetic, 32-d), k=20, ef 10/20/200 plus the default 50, one thread."""
    settings = StudySettings(
        sizes=[2000, 600],
        k=20,
        ef_values=(10, 20, 200),
        hnsw=HnswSettings(m=8, ef_construction=40),
        threads=1,
        n_queries=60,
        latency_queries=5,
        dim=32,
        progress=False,
    )
    return run_study(settings)
