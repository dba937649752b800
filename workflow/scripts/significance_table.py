from crossrank.core.joblog import log_to_file
from crossrank.report import steps

log_to_file(snakemake.log[0])
steps.significance_table(
    snakemake.input.queries,
    snakemake.params.comparisons,
    snakemake.params.settings,
    dict(snakemake.output.items()),
)
