from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.translate_shard(
    snakemake.input.documents,
    snakemake.params.nllb,
    int(snakemake.wildcards.shard),
    snakemake.params.shards,
    snakemake.params.cache,
    snakemake.output.shard,
)
