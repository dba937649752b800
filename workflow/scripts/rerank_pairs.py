from crossrank.core.joblog import log_to_file
from crossrank.rerank import steps

log_to_file(snakemake.log[0])
steps.rerank_pairs(
    snakemake.input.pairs,
    snakemake.wildcards.negatives,
    snakemake.params.settings,
    snakemake.params.bm25,
    snakemake.output.train,
    snakemake.output.validation,
)
