from crossrank.analyse import steps
from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.language_bias(
    snakemake.input.runs,
    snakemake.params.run_names,
    snakemake.input.topics,
    snakemake.input.docs,
    snakemake.wildcards.dataset,
    snakemake.params.depth,
    snakemake.output.bias,
)
