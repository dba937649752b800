from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs
from crossrank.translate import steps

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.translate_shard(
    snakemake.input.documents,
    snakemake.params.nllb,
    int(snakemake.wildcards.shard),
    snakemake.params.shards,
    snakemake.params.cache,
    snakemake.output.shard,
)
