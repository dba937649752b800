from crossrank.core.joblog import log_to_file
from crossrank.report import steps

log_to_file(snakemake.log[0])
steps.linguistic_table(
    snakemake.input.metrics,
    snakemake.params.metric,
    snakemake.params.runs,
    snakemake.params.settings,
    dict(snakemake.output.items()),
)
