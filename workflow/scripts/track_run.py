from crossrank.core.joblog import log_to_file
from crossrank.track import steps

log_to_file(snakemake.log[0])
steps.track_run(
    snakemake.wildcards.dataset,
    snakemake.wildcards.run,
    snakemake.params.settings,
    snakemake.input.metrics,
    [snakemake.input.run],
    snakemake.params.mlflow,
    snakemake.output.logged,
    list(snakemake.input.embedding),
    list(snakemake.input.training),
)
