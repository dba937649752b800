from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs
from crossrank.rerank import steps

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.rerank(
    f"rerank.{snakemake.wildcards.reranker}.{snakemake.wildcards.stage}.{snakemake.wildcards.condition}",
    snakemake.wildcards.reranker,
    snakemake.input.first_stage,
    snakemake.input.topics,
    snakemake.input.qrels,
    list(snakemake.input.documents),
    snakemake.params.settings,
    snakemake.output.run,
    checkpoint=snakemake.input.get("checkpoint"),
    cache_root=snakemake.params.cache,
)
