# Configuration validation, the plan, and the input functions the rules share. Every decision
# lives in crossrank.plan.Plan (tested without Snakemake); these functions only hand it wildcards.
from pathlib import Path

from crossrank.config import validate_params
from crossrank.core import layout
from crossrank.core.layout import fill
from crossrank.core.run_name import RunName, run_pattern
from crossrank.plan import Plan

# Every config file read strictly first (preflight.smk checked params.yaml before Snakemake read it; the
# overlays given on the command line are checked here): Snakemake's YAML reader keeps the last of two equal keys.
check_config_files(workflow.configfiles)
validate_params(
    config, Path(workflow.basedir) / "workflow" / "schemas" / "params.schema.yaml"
)
PLAN = Plan.from_config(config)


wildcard_constraints:
    dataset="[a-z0-9_]+",
    condition="|".join(layout.CONDITIONS),
    encoder=layout.ANY_ENCODER,
    run="[A-Za-z0-9_.+-]+",
    shard="[0-9]+",


def run_file(system):
    """Output pattern of one search system's runs, e.g. results/{dataset}/runs/dense.{encoder}.{condition}.trec."""
    return fill(layout.RUN, run=run_pattern(system))


def run_name(system):
    """Params function: the name of the run a search rule writes, from its wildcards."""
    return lambda wildcards: str(
        RunName.search(system, wildcards.condition, wildcards.get("encoder"))
    )


def dataset_run_names(wildcards):
    """Every retrieval run name of the wildcard's dataset."""
    return [str(run) for run in PLAN.run_names(wildcards.dataset)]


def bias_figure_runs(wildcards):
    """The wildcard dataset's runs, each fine-tuned encoder after its base (the bias figure's rows)."""
    return PLAN.bias_figure_runs(wildcards.dataset)


def dataset_runs(wildcards):
    """The run files of every retrieval run of the wildcard's dataset."""
    return PLAN.run_files(wildcards.dataset)


def query_languages(wildcards):
    """Languages of a dataset's queries (Large-Scale: English only)."""
    return PLAN.query_languages(wildcards.dataset)


def doc_languages(wildcards):
    """Languages of a dataset's document pool."""
    return PLAN.document_languages(wildcards.dataset)


def dataset_conditions(wildcards):
    """Document conditions of a dataset (translated only with a translation backend)."""
    return list(PLAN.conditions[wildcards.dataset])


def manifests(wildcards):
    """The manifests the wildcards' input files are checked against (all of them without a dataset)."""
    return PLAN.manifests(wildcards.get("dataset"), wildcards.get("condition"))


def release_input(dataset):
    """Input function: the release files a dataset's prepare step reads (or its download manifest)."""
    return lambda wildcards: PLAN.release_inputs(dataset)


def translation_backend(wildcards):
    """The backend of a dataset's translated condition (oracle, copy or nllb)."""
    return PLAN.translation_backend(wildcards.dataset)


def english_input(wildcards):
    """The English texts the translate step merges: parallel text (oracle) or shards (nllb)."""
    return PLAN.english_inputs(wildcards.dataset)


def nllb_settings(wildcards):
    """The NLLB settings a dataset's translations depend on ({} unless it translates with nllb)."""
    return PLAN.nllb_settings(wildcards.dataset)


def evaluation_settings(wildcards):
    """How a dataset's runs are evaluated (its relevance mode resolved)."""
    return PLAN.evaluation(wildcards.dataset)


def run_params(wildcards):
    """The settings that determine one retrieval run (logged to MLflow)."""
    return PLAN.run_params(wildcards.dataset, wildcards.run)


def embedding_record(wildcards):
    """The embedding record of a dense or HNSW run's encoder (nothing for BM25)."""
    return PLAN.embedding_records(wildcards.run, wildcards.dataset)


def encoder_settings(wildcards):
    """An encoder's registry entry as it embeds (embedding.prefixes applied)."""
    return PLAN.encoder(wildcards.encoder)


def finetuned_encoder_settings(wildcards):
    """A fine-tuned encoder's entry on one dataset: its base entry with the checkpoint as model."""
    return PLAN.finetuned_encoder(wildcards.dataset, wildcards.encoder)


def finetuned_embedding_documents(wildcards):
    """Every document file (per condition) of the dataset a fine-tuned encoder embeds."""
    return PLAN.finetuned_embedding_documents(wildcards.dataset)


def finetune_pairs(wildcards):
    """The training and validation files of a fine-tuned encoder's level on a dataset."""
    return PLAN.finetune_pairs(wildcards.dataset, wildcards.encoder)


def phrase_pairs_inputs(wildcards):
    """The phrase level's sources on a dataset: its own parallel phrases, or Tatoeba files."""
    return PLAN.phrase_pairs_inputs(wildcards.dataset)


def phrase_language_pairs(wildcards):
    """The cross-language pairs a dataset evaluates (Tatoeba's pairs are drawn per pair)."""
    return PLAN.phrase_language_pairs(wildcards.dataset)


def word_pairs_inputs(wildcards):
    """The WiC release files the word level reads on a dataset."""
    return PLAN.word_pairs_inputs(wildcards.dataset)


def finetune_languages(wildcards):
    """The languages of a dataset that word-level pairs are kept in."""
    return PLAN.finetune_languages(wildcards.dataset)


def training_markers(wildcards):
    """The MLflow marker of the training behind a run's model (fine-tuning or cross-encoder; none for other runs)."""
    return PLAN.training_markers(wildcards.run, wildcards.dataset)


def finetune_run_params(wildcards):
    """What determines one fine-tuning (logged to MLflow)."""
    return PLAN.finetune_run_params(wildcards.dataset, wildcards.encoder)


def finetune_training_settings(wildcards):
    """What one fine-tuning reads of the finetune block (Table 10; the margin at word level only)."""
    return PLAN.finetune_training_settings(wildcards.encoder)


def rerank_run_inputs(wildcards):
    """What one re-ranked run reads (first-stage run, re-ranked queries, qrels, documents, checkpoint)."""
    return PLAN.rerank_run_inputs(
        wildcards.dataset,
        f"rerank.{wildcards.reranker}.{wildcards.stage}.{wildcards.condition}",
    )


def fusion_run_name(wildcards):
    """The name of the fused run a fuse job writes, from its wildcards."""
    retriever = f"fusion.{wildcards.method}.{wildcards.members}"
    return str(RunName.join(retriever, wildcards.condition))


def fusion_inputs(wildcards):
    """The member run files a fused run reads, in its name's order."""
    return PLAN.fusion_inputs(wildcards.dataset, fusion_run_name(wildcards))


def fusion_settings(wildcards):
    """What determines a fused run besides its members: its method and RRF's k."""
    return PLAN.fusion_settings(fusion_run_name(wildcards))


def rerank_hard_negatives(wildcards):
    """Where one negative strategy finds its hard negatives on a dataset ({} for easy ones)."""
    return PLAN.rerank_hard_negatives(wildcards.dataset, wildcards.negatives)


def rerank_training_files(wildcards):
    """The training and validation examples of a cross-encoder's negative strategy."""
    return PLAN.rerank_training_files(wildcards.dataset, wildcards.reranker)


def rerank_train_params(wildcards):
    """What determines one cross-encoder training (logged to MLflow)."""
    return PLAN.rerank_train_params(wildcards.dataset, wildcards.reranker)


def rerank_queries_settings(wildcards):
    """How many queries per pair a dataset re-ranks, and the seed."""
    return PLAN.rerank_queries_settings(wildcards.dataset)


def rerank_base(wildcards):
    """The registry entry a cross-encoder starts from."""
    return PLAN.rerank_base(wildcards.reranker)


def run_path(wildcards):
    """A run's TREC file (first stages under runs/, re-ranked runs under reranked/)."""
    return PLAN.run_file(wildcards.dataset, wildcards.run)


def evaluation_topics(wildcards):
    """The topics a run is evaluated on (the re-ranked queries for a re-ranked run)."""
    return PLAN.evaluation_topics(wildcards.dataset, wildcards.run)


def finetune_base(wildcards):
    """The registry entry of the encoder a fine-tuning starts from."""
    return PLAN.finetune_base(wildcards.encoder)


def embedding_shards(wildcards):
    """The shard records of one encoder, one per embedding.shards."""
    return PLAN.embedding_shards(wildcards.encoder)


def efficiency_embeddings(kind):
    """Input function: the cached embeddings (documents or queries) the efficiency study reads."""
    return lambda wildcards: PLAN.efficiency_embeddings(kind)
