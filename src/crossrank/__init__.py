"""crossrank: a reproducible pipeline for cross-lingual retrieval experiments.

The library behind the Snakemake workflow: datasets, translation, BM25 and dense retrieval,
evaluation, reporting and experiment tracking. Every module is importable without Snakemake.
"""

__version__ = "0.1.0"
