from crossrank.core.joblog import log_to_file
from crossrank.report import steps

log_to_file(snakemake.log[0])
steps.best_figure(
    snakemake.input.metrics,
    snakemake.wildcards.dataset,
    snakemake.params.metric,
    snakemake.params.conditions,
    snakemake.params.pairs,
    snakemake.output.figure,
)
