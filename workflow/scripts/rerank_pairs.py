from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs
from crossrank.rerank import steps

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.rerank_pairs(
    snakemake.input.pairs,
    snakemake.input.candidates,
    snakemake.wildcards.negatives,
    snakemake.params.settings,
    snakemake.params.hard,
    snakemake.output.train,
    snakemake.output.validation,
    snakemake.output.record,
    snakemake.params.cache,
    snakemake.threads,
)
