from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.evaluate(
    snakemake.input.run,
    snakemake.input.qrels,
    snakemake.input.topics,
    snakemake.wildcards.dataset,
    snakemake.wildcards.run,
    snakemake.params.evaluation,
    snakemake.output.metrics,
)
