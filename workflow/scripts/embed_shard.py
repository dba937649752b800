from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
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
