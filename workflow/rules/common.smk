# Configuration validation and the helper functions the rules share.
import sys
from pathlib import Path

_src = str(Path(workflow.basedir) / "src")
if _src not in sys.path:
    sys.path.insert(0, _src)

from crossrank.environment import share_source_path

share_source_path(_src)
from crossrank import catalog, layout
from crossrank.config import validate_params
from crossrank.layout import fill
from crossrank.mt.nllb import result_settings
from crossrank.protocols.registry import PROTOCOLS, release_inputs
from crossrank.tracking import resolve_tracking_uri

validate_params(
    config, Path(workflow.basedir) / "workflow" / "schemas" / "params.schema.yaml"
)

DATASETS = config["datasets"]
CONDITIONS = {
    dataset: catalog.dataset_conditions(config, dataset) for dataset in DATASETS
}
ENCODERS = catalog.enabled_encoders(config)
ANN_ENCODERS = ENCODERS if config["ann"]["enabled"] else []
EMBEDDING = config["embedding"]
EFFICIENCY_SOURCE = catalog.efficiency_source(config)
TRANSLATED = [dataset for dataset in DATASETS if "translated" in CONDITIONS[dataset]]
NLLB = config["translation"]["nllb"]


wildcard_constraints:
    dataset="[a-z0-9_]+",
    condition="|".join(layout.CONDITIONS),
    encoder="[A-Za-z0-9_-]+",
    run="[A-Za-z0-9_.-]+",
    shard="[0-9]+",


def mlflow_settings():
    """MLflow settings with the tracking store actually in effect (the environment can override it),
    so that pointing MLFLOW_TRACKING_URI elsewhere re-logs the runs there."""
    return {
        **config["mlflow"],
        "tracking_uri": resolve_tracking_uri(config["mlflow"]["tracking_uri"]),
    }


def run_names(dataset):
    """Every retrieval run of a dataset."""
    return layout.run_names(CONDITIONS[dataset], ENCODERS, ANN_ENCODERS)


def dataset_run_names(wildcards):
    """Input function: every retrieval run name of the wildcard's dataset."""
    return run_names(wildcards.dataset)


def dataset_runs(wildcards):
    """Input function: the run files of every retrieval run of the wildcard's dataset."""
    return [
        fill(layout.RUN, dataset=wildcards.dataset, run=run)
        for run in run_names(wildcards.dataset)
    ]


def query_languages(wildcards):
    """Languages of a dataset's queries (Large-Scale: English only)."""
    return catalog.query_languages(config, wildcards.dataset)


def doc_languages(wildcards):
    """Languages of a dataset's document pool."""
    return catalog.document_languages(config, wildcards.dataset)


def dataset_conditions(wildcards):
    """Document conditions of a dataset (translated only with a translation backend)."""
    return CONDITIONS[wildcards.dataset]


def protocol_settings(dataset):
    """A dataset's settings block without the translation backend (which does not change the prepared data)."""
    return {k: v for k, v in config[dataset].items() if k != "translation"}


def release_input(dataset):
    """Input function: the release files a dataset's prepare step reads (or its download manifest)."""
    return lambda wildcards: release_inputs(dataset, config[dataset])


def sources_input():
    """Every configured released dataset's release files or download manifest."""
    return [
        path
        for dataset in DATASETS
        if dataset in PROTOCOLS
        for path in release_inputs(dataset, config[dataset])
    ]


def english_input(wildcards):
    """The English texts the translate step merges: parallel text (oracle) or shards (nllb)."""
    backend = catalog.translation_backend(config, wildcards.dataset)
    if backend == "oracle":
        return [fill(layout.ORACLE_ENGLISH, dataset=wildcards.dataset)]
    if backend == catalog.MACHINE_TRANSLATION:
        shards = range(NLLB["shards"])
        return [
            fill(layout.TRANSLATION_SHARD, dataset=wildcards.dataset, shard=str(s))
            for s in shards
        ]
    return []


def nllb_settings(wildcards):
    """The NLLB settings a dataset's translations depend on ({} unless it translates with nllb)."""
    if (
        catalog.translation_backend(config, wildcards.dataset)
        == catalog.MACHINE_TRANSLATION
    ):
        return result_settings(NLLB)
    return {}


def run_params(wildcards):
    """The settings that determine one retrieval run (logged to MLflow)."""
    system, _, condition = wildcards.run.rpartition(".")
    params = {
        "dataset": wildcards.dataset,
        "condition": condition,
        "system": system,
        wildcards.dataset: config[wildcards.dataset],
        "retrieval": config["retrieval"],
        "evaluation": config["evaluation"],
    }
    backend = catalog.translation_backend(config, wildcards.dataset)
    if condition == "translated" and backend == catalog.MACHINE_TRANSLATION:
        params["translation"] = {"nllb": result_settings(NLLB)}
    if system == "bm25":
        params["bm25"] = config["bm25"]
        return params
    kind, encoder = system.split(".", 1)
    params["encoder"] = {"name": encoder, **config["encoders"][encoder]}
    params["embedding"] = {k: EMBEDDING[k] for k in ("precision", "storage")}
    if kind == "ann":
        params["ann"] = config["ann"]
    return params


def embedding_inputs(kind):
    """Document files (per dataset and condition) or topic files (per dataset) to embed."""
    if kind == "documents":
        return [
            fill(layout.DOCUMENTS, dataset=d, condition=c)
            for d in DATASETS
            for c in CONDITIONS[d]
        ]
    return [fill(layout.QUERIES, dataset=d) for d in DATASETS]


def embedding_outputs(kind):
    """Embedding matrices of one encoder, aligned with embedding_inputs(kind)."""
    if kind == "documents":
        return [
            fill(layout.DOC_EMBEDDINGS, dataset=d, condition=c)
            for d in DATASETS
            for c in CONDITIONS[d]
        ]
    return [fill(layout.QUERY_EMBEDDINGS, dataset=d) for d in DATASETS]


def embedding_shards(wildcards):
    """The shard records of one encoder, one per embedding.shards."""
    return [
        fill(layout.EMBEDDING_SHARD, encoder=wildcards.encoder, shard=str(s))
        for s in range(EMBEDDING["shards"])
    ]


def embedding_record(wildcards):
    """Input function: the embedding record of a dense or HNSW run's encoder (nothing for BM25)."""
    system = wildcards.run.rpartition(".")[0]
    if system == "bm25":
        return []
    return [fill(layout.EMBEDDING_RECORD, encoder=system.split(".", 1)[1])]


def efficiency_embeddings(kind):
    """Input function: the cached embeddings (documents or queries) the efficiency study reads
    (asked for only when the study runs, so a disabled study needs no source)."""
    template = layout.DOC_EMBEDDINGS if kind == "documents" else layout.QUERY_EMBEDDINGS

    def embeddings(wildcards):
        dataset, encoder = EFFICIENCY_SOURCE
        return fill(template, dataset=dataset, encoder=encoder, condition="original")

    return embeddings


def stage_targets(stage, datasets=None):
    """Files of one pipeline stage (DVC's stages request these from Snakemake)."""
    datasets = datasets or DATASETS
    scored = catalog.scored_translations(config, datasets)
    return layout.stage_targets(
        stage,
        datasets,
        CONDITIONS,
        ENCODERS,
        scored,
        ANN_ENCODERS,
        EFFICIENCY_SOURCE is not None,
    )


def all_outputs():
    """Every file a full run leaves behind."""
    stages = layout.DATASET_STAGES + layout.GLOBAL_STAGES
    return [target for stage in stages for target in stage_targets(stage)]


def all_run_metrics():
    """Per-run metric tables of every dataset."""
    return [
        fill(layout.RUN_METRICS, dataset=dataset, run=run)
        for dataset in DATASETS
        for run in run_names(dataset)
    ]
