from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs
from crossrank.dense import steps

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.embed(
    snakemake.wildcards.encoder,
    snakemake.params.encoder,
    snakemake.params.embedding,
    snakemake.params.cache,
    list(zip(snakemake.input.documents, snakemake.output.documents, strict=True)),
    list(zip(snakemake.input.topics, snakemake.output.queries, strict=True)),
    snakemake.input.shards,
    snakemake.output.record,
    snakemake.threads,
)
