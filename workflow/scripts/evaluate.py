from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs
from crossrank.evaluate import steps

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.evaluate(
    snakemake.input.run,
    snakemake.input.qrels,
    snakemake.input.topics,
    snakemake.input.docs,
    snakemake.wildcards.dataset,
    snakemake.wildcards.run,
    snakemake.params.evaluation,
    snakemake.output.metrics,
    snakemake.output.queries,
)
