from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.embed_queries(
    snakemake.input.topics,
    snakemake.wildcards.encoder,
    snakemake.params.encoder,
    snakemake.params.cache,
    snakemake.output.embeddings,
    snakemake.threads,
)
