from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs
from crossrank.dense import steps

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.embed_shard(
    snakemake.wildcards.encoder,
    snakemake.params.encoder,
    snakemake.params.embedding,
    snakemake.params.cache,
    snakemake.input.documents,
    snakemake.input.topics,
    int(snakemake.wildcards.shard),
    snakemake.output.record,
    snakemake.threads,
)
