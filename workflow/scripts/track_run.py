from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.track(
    snakemake.wildcards.dataset,
    snakemake.wildcards.run,
    snakemake.params.settings,
    snakemake.input.metrics,
    [snakemake.input.run],
    snakemake.params.mlflow,
    snakemake.output.logged,
    list(snakemake.input.embedding),
)
