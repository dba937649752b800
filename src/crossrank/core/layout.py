"""Where every artifact lives, relative to the project directory: the one place paths are written.

Snakemake rules, DVC stages (by directory) and tests all refer to these templates; which of them
a configuration builds is :class:`crossrank.plan.Plan`'s decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from crossrank.core.contract import CONDITIONS as CONDITIONS  # re-exported: the wildcard constraint of {condition}

# Released datasets exported from ir_datasets (source: ir_datasets), in the release's own
# layout, and the record of where every configured dataset's files came from.
RAW_RELEASE = "data/raw/{dataset}"
RAW_MANIFEST = "data/raw/{dataset}/manifest.tsv"
RAW_SOURCES = "data/raw/sources.tsv"

# Prepared and intermediate data, stage first ("data/<stage>/<dataset>/..."), so that each
# DVC stage owns whole directories.
DOCUMENTS = "data/{condition}/{dataset}/documents.tsv"
# What the job that wrote a condition's files recorded of each (lines, bytes, SHA-256):
# prepare_<dataset> for the original documents, the contract and the training files, translate
# for the translated documents. Every job reading those files checks them against it first.
MANIFEST = "data/{condition}/{dataset}/manifest.json"
# The evaluated topics again (same bytes as the contract's topics.tsv) under data/, where the
# global embed stage can depend on every dataset's queries through one directory.
QUERIES = "data/original/{dataset}/topics.tsv"
ORACLE_ENGLISH = "data/original/{dataset}/oracle_en.tsv"
PHRASE_PAIRS = "data/train/{dataset}/phrase_pairs.tsv"
QUERY_DOCUMENTS = "data/train/{dataset}/query_documents.tsv"
# The training queries' judged non-relevant candidates in their release's order (CLIRMatrix's
# label-0 results, mMARCO's training triples); header only where the release ranks none.
TRAINING_CANDIDATES = "data/train/{dataset}/candidates.tsv"
# Per source language: documents, translation backend, pieces (written for every dataset, so a
# dataset without a translated condition says so too).
TRANSLATION_SUMMARY = "data/translated/{dataset}/summary.tsv"
# One shard of a corpus's machine translations (temporary: merged into the documents).
TRANSLATION_SHARD = "data/translated/{dataset}/shards/{shard}.tsv"
# chrF and BLEU of machine translations against the dataset's parallel English.
TRANSLATION_QUALITY = "data/translated/{dataset}/quality.csv"
TRANSLATION_CACHE = "cache/translations"
BM25_INDEX = "data/bm25/{dataset}/{condition}"
# Fine-tuned checkpoints, one per (dataset, base encoder + level): "data/finetune/cldr/minilm+qd", a
# sentence-transformers model directory; and what its training chose (validation curve, best epoch).
FINETUNED_MODEL = "data/finetune/{dataset}/{encoder}"
# A level's training and validation pairs on a dataset ({level}: word, phrase, qd; {split}: train, validation).
FINETUNE_PAIRS = "data/finetune/{dataset}/pairs/{level}.{split}.tsv"
FINETUNE_RECORD = "data/finetune/{dataset}/{encoder}.json"
# Cross-encoder re-ranking: one negative strategy's training examples (the paper's CSV), one
# checkpoint per (dataset, <encoder>-<negatives>) with its record, the re-ranked queries, and the
# content-addressed score cache.
RERANK_PAIRS = "data/rerank/{dataset}/pairs/{negatives}.{split}.csv"
# Where a strategy's negatives came from (release candidates or a retriever) and how many were found.
RERANK_PAIRS_RECORD = "data/rerank/{dataset}/pairs/{negatives}.json"
RERANK_MODEL = "data/rerank/{dataset}/{reranker}"
RERANK_RECORD = "data/rerank/{dataset}/{reranker}.json"
RERANK_QUERIES = "data/rerank/{dataset}/queries.tsv"
RERANK_CACHE = "cache/rerank"
EMBEDDING_CACHE = "cache/embeddings"
# One shard job's record of the texts it encoded into the cache (temporary).
EMBEDDING_SHARD = "data/embeddings/shards/{encoder}/{shard}.json"
# What an encoder's embedding jobs resolved (precision, devices, cache directory, fingerprint).
EMBEDDING_RECORD = "data/embeddings/{encoder}.json"
# The same for a fine-tuned encoder, whose checkpoint (and so its embedding job) is per dataset.
FINETUNED_EMBEDDING_RECORD = "data/embeddings/{dataset}/{encoder}.json"
# HNSW indexes and their metadata, keyed by content, next to the embedding cache.
ANN_CACHE = "cache/ann"
DOC_EMBEDDINGS = "data/embeddings/{dataset}/{encoder}/documents.{condition}.npy"
QUERY_EMBEDDINGS = "data/embeddings/{dataset}/{encoder}/queries.npy"
RUN_METRICS = "data/metrics/{dataset}/{run}.csv"
# Every evaluated query's value per metric, per run ({run} holds no "/", so the two never collide).
RUN_QUERY_METRICS = "data/metrics/{dataset}/queries/{run}.csv"
# Document-language bias of every run of a dataset (tidy: one row per run, measure and language).
BIAS = "data/bias/{dataset}/language_bias.csv"

# The results contract and the reports.
DOCS_TABLE = "results/{dataset}/docs.tsv"
TOPICS = "results/{dataset}/topics.tsv"
QRELS = "results/{dataset}/qrels.tsv"
STATISTICS = "results/{dataset}/statistics.csv"
# Which backend produced each document of the translated condition (and from how many pieces).
TRANSLATIONS = "results/{dataset}/translations.tsv"
RUN = "results/{dataset}/runs/{run}.trec"
# Re-ranked runs (rerank.<model>-<negatives>[-asis].<first stage>.<condition>), apart from the first
# stages' so that each DVC stage owns whole directories.
RERANKED_RUN = "results/{dataset}/reranked/{run}.trec"
METRICS = "results/metrics.csv"
# The per-query values of every run, tidy (dataset, run, qid, query_lang, doc_lang, metric, value).
QUERY_METRICS = "results/per_query.csv"
# Directories, one file per (dataset, run): its macro averages ("results/metrics/cldr/bm25.original.json",
# DVC's metrics: one row each in `dvc metrics show`) and its values per language pair (DVC's plots).
METRICS_SUMMARY = "results/metrics"
PAIR_METRICS = "results/per_pair"
TABLE_TRANSLATION_CSV = "results/tables/table3_translation.csv"
TABLE_TRANSLATION_MD = "results/tables/table3_translation.md"
FIGURE_BM25 = "results/figures/{dataset}/bm25_heatmap.png"
FIGURE_ENCODERS = "results/figures/{dataset}/encoders.png"
# Fine-tuning (the paper's Tables 4 and 5) and the validation curves of every training run.
TABLE_FINETUNE_CSV = "results/tables/table4_finetuning.csv"
TABLE_FINETUNE_MD = "results/tables/table4_finetuning.md"
TABLE_BEST_CSV = "results/tables/table5_best_configuration.csv"
TABLE_BEST_MD = "results/tables/table5_best_configuration.md"
FINETUNE_CURVES_CSV = "results/tables/finetune_curves.csv"
FINETUNE_CURVES_FIGURE = "results/figures/finetune_curves.png"
# Re-ranking (the paper's Table 6).
TABLE_RERANK_CSV = "results/tables/table6_reranking.csv"
TABLE_RERANK_MD = "results/tables/table6_reranking.md"
# Table 8: Spearman correlations of lang2vec similarity with retrieval; the pairs' similarities; their scatter.
TABLE_LINGUISTIC_CSV = "results/tables/table8_linguistic.csv"
TABLE_LINGUISTIC_MD = "results/tables/table8_linguistic.md"
LINGUISTIC_SIMILARITY = "results/tables/linguistic_similarity.csv"
FIGURE_LINGUISTIC = "results/figures/linguistic_similarity.png"
# Each table's differences against its baseline: paired tests with Holm's correction, bootstrap
# intervals; and every run's macro averages with their intervals.
TABLE_SIGNIFICANCE_CSV = "results/tables/significance.csv"
TABLE_SIGNIFICANCE_MD = "results/tables/significance.md"
INTERVALS = "results/tables/intervals.csv"
# Document-language bias summarised per run (the paper's Figures 6 and 8).
TABLE_BIAS_CSV = "results/tables/{dataset}/language_bias.csv"
TABLE_BIAS_MD = "results/tables/{dataset}/language_bias.md"
FIGURE_BIAS = "results/figures/{dataset}/language_bias.png"
# The paper's Figure 5 (the best dense run against BM25) and Table 7's recall half (exact vs HNSW).
FIGURE_BEST = "results/figures/{dataset}/best_vs_bm25.png"
TABLE_ANN_CSV = "results/tables/table7_ann.csv"
TABLE_ANN_MD = "results/tables/table7_ann.md"
# The findings report: every table and figure, the paper's numbers beside ours, a verdict per finding.
REPORT_MD = "results/report.md"
REPORT_HTML = "results/report.html"
# The paper's published numbers, one row per printed cell (read by the report, never typed into code).
PAPER_RESULTS = "workflow/data/paper_results.csv"
# The exact-vs-HNSW efficiency study (timings: they differ between runs and machines).
EFFICIENCY_CSV = "results/efficiency/ann_efficiency.csv"
EFFICIENCY_MD = "results/efficiency/ann_efficiency.md"
EFFICIENCY_FIGURE = "results/efficiency/ann_efficiency.png"
# Its summary at the default ef, one row per corpus size (exact vs HNSW queries per second: DVC's efficiency plot).
EFFICIENCY_SUMMARY_CSV = "results/efficiency/ann_efficiency_summary.csv"
MLFLOW_LOGGED = "results/mlflow/logged/{dataset}/{run}.json"
MLFLOW_REPORT = "results/mlflow/reports/{dataset}.json"
# The MLflow run of one fine-tuning (the evaluation runs of its encoder are tagged with its id).
MLFLOW_FINETUNE = "results/mlflow/finetune/{dataset}/{encoder}.json"
# The MLflow run of one cross-encoder training (its re-ranked runs are tagged with its id).
MLFLOW_RERANK = "results/mlflow/rerank/{dataset}/{reranker}.json"

# DVC stages: the ones run per dataset, and the ones over all datasets at once.
DATASET_STAGES = ("prepare", "translate", "finetune", "retrieve", "rerank", "evaluate", "analyse")
GLOBAL_STAGES = ("download", "index", "embed", "metrics", "report", "efficiency", "track")


# Wildcard constraints of {encoder}: a registry name, or a fine-tuned "<name>+<level>".
REGISTRY_ENCODER = "[A-Za-z0-9_-]+"
FINETUNED_ENCODER = r"[A-Za-z0-9_-]+\+[A-Za-z0-9_-]+"
ANY_ENCODER = r"[A-Za-z0-9_-]+(\+[A-Za-z0-9_-]+)?"


def pdf(figure: str) -> str:
    """The PDF every figure is also saved as, beside it: the same path with ``.pdf`` for its suffix (``x.png`` -> ``x.pdf``)."""
    return str(PurePosixPath(figure).with_suffix(".pdf"))


def fill(template: str, **values: str) -> str:
    """Substitute some wildcards of a path template, leaving the others for Snakemake."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def any_of(names: Iterable[str]) -> str:
    """A wildcard constraint matching exactly ``names`` (nothing at all when there are none)."""
    return "|".join(names) or "(?!)"
