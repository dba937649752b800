from crossrank.analyse import steps
from crossrank.core.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.language_bias(
    snakemake.input.runs,
    snakemake.params.run_names,
    snakemake.input.topics,
    snakemake.input.docs,
    snakemake.wildcards.dataset,
    snakemake.params.depth,
    snakemake.output.bias,
)
