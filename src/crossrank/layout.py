"""Where every artifact lives, relative to the project directory: the one place paths are written.

Snakemake rules, DVC stages (by directory) and tests all refer to these templates.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

CONDITIONS = ("original", "translated")

# Released datasets exported from ir_datasets (source: ir_datasets), in the release's own
# layout, and the record of where every configured dataset's files came from.
RAW_RELEASE = "data/raw/{dataset}"
RAW_MANIFEST = "data/raw/{dataset}/manifest.tsv"
RAW_SOURCES = "data/raw/sources.tsv"

# Prepared and intermediate data, stage first ("data/<stage>/<dataset>/..."), so that each
# DVC stage owns whole directories.
DOCUMENTS = "data/{condition}/{dataset}/documents.tsv"
# The evaluated topics again (same bytes as the contract's topics.tsv) under data/, where the
# global embed stage can depend on every dataset's queries through one directory.
QUERIES = "data/original/{dataset}/topics.tsv"
ORACLE_ENGLISH = "data/original/{dataset}/oracle_en.tsv"
PHRASE_PAIRS = "data/train/{dataset}/phrase_pairs.tsv"
QUERY_DOCUMENTS = "data/train/{dataset}/query_documents.tsv"
# Per source language: documents, translation backend, pieces (written for every dataset, so a
# dataset without a translated condition says so too).
TRANSLATION_SUMMARY = "data/translated/{dataset}/summary.tsv"
# One shard of a corpus's machine translations (temporary: merged into the documents).
TRANSLATION_SHARD = "data/translated/{dataset}/shards/{shard}.tsv"
# chrF and BLEU of machine translations against the dataset's parallel English.
TRANSLATION_QUALITY = "data/translated/{dataset}/quality.csv"
TRANSLATION_CACHE = "cache/translations"
BM25_INDEX = "data/bm25/{dataset}/{condition}"
EMBEDDING_CACHE = "cache/embeddings"
# One shard job's record of the texts it encoded into the cache (temporary).
EMBEDDING_SHARD = "data/embeddings/shards/{encoder}/{shard}.json"
# What an encoder's embedding jobs resolved (precision, devices, cache directory, fingerprint).
EMBEDDING_RECORD = "data/embeddings/{encoder}.json"
# HNSW indexes and their metadata, keyed by content, next to the embedding cache.
ANN_CACHE = "cache/ann"
DOC_EMBEDDINGS = "data/embeddings/{dataset}/{encoder}/documents.{condition}.npy"
QUERY_EMBEDDINGS = "data/embeddings/{dataset}/{encoder}/queries.npy"
RUN_METRICS = "data/metrics/{dataset}/{run}.csv"
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
METRICS = "results/metrics.csv"
METRICS_SUMMARY = "results/metrics.json"
TABLE_TRANSLATION_CSV = "results/tables/table3_translation.csv"
TABLE_TRANSLATION_MD = "results/tables/table3_translation.md"
FIGURE_BM25 = "results/figures/{dataset}/bm25_heatmap.png"
FIGURE_ENCODERS = "results/figures/{dataset}/encoders.png"
# Document-language bias summarised per run (the paper's Figures 6 and 8).
TABLE_BIAS_CSV = "results/tables/{dataset}/language_bias.csv"
TABLE_BIAS_MD = "results/tables/{dataset}/language_bias.md"
FIGURE_BIAS = "results/figures/{dataset}/language_bias.png"
# The exact-vs-HNSW efficiency study (timings: they differ between runs and machines).
EFFICIENCY_CSV = "results/efficiency/ann_efficiency.csv"
EFFICIENCY_MD = "results/efficiency/ann_efficiency.md"
EFFICIENCY_FIGURE = "results/efficiency/ann_efficiency.png"
MLFLOW_LOGGED = "results/mlflow/logged/{dataset}/{run}.json"
MLFLOW_REPORT = "results/mlflow/reports/{dataset}.json"

# DVC stages: the ones run per dataset, and the ones over all datasets at once.
DATASET_STAGES = ("prepare", "translate", "retrieve", "evaluate")
GLOBAL_STAGES = ("download", "index", "embed", "metrics", "report", "efficiency", "track")


def run_names(conditions: Iterable[str], encoders: Iterable[str], ann_encoders: Iterable[str] = ()) -> list[str]:
    """Every retrieval run of a dataset: ``bm25.<condition>``, ``dense.<encoder>.<condition>`` (exact search)
    and ``ann.<encoder>.<condition>`` (HNSW) for the ``ann_encoders``."""
    conditions = list(conditions)
    names = [f"bm25.{c}" for c in conditions]
    names += [f"dense.{e}.{c}" for e in encoders for c in conditions]
    names += [f"ann.{e}.{c}" for e in ann_encoders for c in conditions]
    return names


def fill(template: str, **values: str) -> str:
    """Substitute some wildcards of a path template, leaving the others for Snakemake."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def any_of(names: Iterable[str]) -> str:
    """A wildcard constraint matching exactly ``names`` (nothing at all when there are none)."""
    return "|".join(names) or "(?!)"


def stage_targets(
    stage: str,
    datasets: Iterable[str],
    conditions: Mapping[str, Sequence[str]],
    encoders: Iterable[str],
    scored_translations: Collection[str] = (),
    ann_encoders: Iterable[str] = (),
    efficiency: bool = False,
) -> list[str]:
    """The files a pipeline stage produces, over ``datasets`` (what DVC's stages ask Snakemake for).

    ``conditions`` maps each dataset to its document conditions (a dataset without a
    translation backend has only ``original``); ``scored_translations`` names the datasets whose
    machine translations are scored against parallel English; ``ann_encoders`` the encoders
    that also get HNSW runs; ``efficiency`` whether the efficiency study runs.
    """
    datasets, encoders, ann_encoders = list(datasets), list(encoders), list(ann_encoders)
    targets: list[str] = []
    for dataset in datasets:
        own = list(conditions[dataset])
        if stage == "prepare":
            targets += [fill(t, dataset=dataset) for t in (DOCS_TABLE, TOPICS, QRELS, STATISTICS)]
        elif stage == "translate":
            targets += [fill(TRANSLATIONS, dataset=dataset), fill(TRANSLATION_SUMMARY, dataset=dataset)]
            if "translated" in own:
                targets.append(fill(DOCUMENTS, dataset=dataset, condition="translated"))
            if dataset in scored_translations:
                targets.append(fill(TRANSLATION_QUALITY, dataset=dataset))
        elif stage == "index":
            targets += [fill(BM25_INDEX, dataset=dataset, condition=c) for c in own]
        elif stage == "embed":
            for encoder in encoders:
                targets.append(fill(EMBEDDING_RECORD, encoder=encoder))
                targets.append(fill(QUERY_EMBEDDINGS, dataset=dataset, encoder=encoder))
                targets += [fill(DOC_EMBEDDINGS, dataset=dataset, encoder=encoder, condition=c) for c in own]
        elif stage == "retrieve":
            targets += [fill(RUN, dataset=dataset, run=r) for r in run_names(own, encoders, ann_encoders)]
        elif stage == "evaluate":
            targets += [fill(RUN_METRICS, dataset=dataset, run=r) for r in run_names(own, encoders, ann_encoders)]
            targets.append(fill(BIAS, dataset=dataset))
        elif stage == "report":
            targets += [fill(t, dataset=dataset) for t in (FIGURE_BM25, FIGURE_ENCODERS, TABLE_BIAS_CSV, TABLE_BIAS_MD, FIGURE_BIAS)]
        elif stage == "track":
            targets += [fill(MLFLOW_LOGGED, dataset=dataset, run=r) for r in run_names(own, encoders, ann_encoders)]
            targets.append(fill(MLFLOW_REPORT, dataset=dataset))
    if stage == "download":
        targets.append(RAW_SOURCES)
    if stage == "metrics":
        targets += [METRICS, METRICS_SUMMARY]
    if stage == "report":
        targets += [TABLE_TRANSLATION_CSV, TABLE_TRANSLATION_MD]
    if stage == "efficiency":  # a disabled study leaves a report saying so (DVC's output exists either way)
        targets += [EFFICIENCY_CSV, EFFICIENCY_MD, EFFICIENCY_FIGURE] if efficiency else [EFFICIENCY_MD]
    if stage not in DATASET_STAGES + GLOBAL_STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    return targets
