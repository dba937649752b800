from crossrank.core.joblog import log_to_file
from crossrank.translate import steps

log_to_file(snakemake.log[0])
steps.translate_shard(
    snakemake.input.documents,
    snakemake.params.nllb,
    int(snakemake.wildcards.shard),
    snakemake.params.shards,
    snakemake.params.cache,
    snakemake.output.shard,
)
