"""The paper's tables and figures, regenerated from ``results/metrics.csv``."""
