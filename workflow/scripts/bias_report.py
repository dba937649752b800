from crossrank.core.joblog import log_to_file
from crossrank.report import steps

log_to_file(snakemake.log[0])
steps.bias_report(
    snakemake.input.bias,
    snakemake.wildcards.dataset,
    snakemake.params.depth,
    snakemake.params.run_names,
    dict(snakemake.output.items()),
)
