from crossrank.core.joblog import log_to_file
from crossrank.evaluate import steps

log_to_file(snakemake.log[0])
steps.collect_metrics(
    list(snakemake.input.metrics),
    list(snakemake.input.queries),
    snakemake.output.metrics,
    snakemake.output.summary,
    snakemake.output.queries,
    snakemake.output.pairs,
)
