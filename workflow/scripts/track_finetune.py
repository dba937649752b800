from crossrank.core.joblog import log_to_file
from crossrank.track import steps

log_to_file(snakemake.log[0])
steps.track_finetune(
    snakemake.wildcards.dataset,
    snakemake.wildcards.encoder,
    snakemake.params.settings,
    snakemake.input.record,
    snakemake.params.mlflow,
    snakemake.output.logged,
)
