"""Where every artifact lives, relative to the project directory: the one place paths are written.

Snakemake rules, DVC stages (by directory) and tests all refer to these templates.
"""

from __future__ import annotations

from collections.abc import Iterable

CONDITIONS = ("original", "translated")

# Prepared data (texts live outside the results contract).
DOCUMENTS = "data/{dataset}/documents.{condition}.tsv"
ORACLE_ENGLISH = "data/{dataset}/oracle_en.tsv"
PHRASE_PAIRS = "data/{dataset}/train/phrase_pairs.tsv"
QUERY_DOCUMENTS = "data/{dataset}/train/query_documents.tsv"

# The results contract.
DOCS_TABLE = "results/{dataset}/docs.tsv"
TOPICS = "results/{dataset}/topics.tsv"
QRELS = "results/{dataset}/qrels.tsv"
STATISTICS = "results/{dataset}/statistics.csv"
TRANSLATIONS = "results/{dataset}/translations.tsv"
RUN = "results/{dataset}/runs/{run}.trec"
RUN_METRICS = "results/{dataset}/metrics/{run}.csv"
METRICS = "results/metrics.csv"
TABLE_TRANSLATION_CSV = "results/tables/table3_translation.csv"
TABLE_TRANSLATION_MD = "results/tables/table3_translation.md"
FIGURE_BM25 = "results/figures/{dataset}/bm25_heatmap.png"
FIGURE_ENCODERS = "results/figures/{dataset}/encoders.png"
MLFLOW_LOGGED = "results/mlflow/logged/{dataset}/{run}.json"

# Indexes and embeddings.
BM25_INDEX = "data/{dataset}/bm25/{condition}"
EMBEDDING_CACHE = "cache/embeddings"
DOC_EMBEDDINGS = "data/{dataset}/embeddings/{encoder}/documents.{condition}.npy"
QUERY_EMBEDDINGS = "data/{dataset}/embeddings/{encoder}/queries.npy"


def run_names(conditions: Iterable[str], encoders: Iterable[str]) -> list[str]:
    """Every retrieval run of a dataset: ``bm25.<condition>`` and ``dense.<encoder>.<condition>``."""
    conditions = list(conditions)
    names = [f"bm25.{c}" for c in conditions]
    names += [f"dense.{e}.{c}" for e in encoders for c in conditions]
    return names


def fill(template: str, **values: str) -> str:
    """Substitute some wildcards of a path template, leaving the others for Snakemake."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template
