from crossrank.core.joblog import log_to_file
from crossrank.finetune import steps

log_to_file(snakemake.log[0])
steps.finetune(
    snakemake.wildcards.dataset,
    snakemake.wildcards.encoder,
    snakemake.params.base,
    snakemake.params.settings,
    snakemake.input.train,
    snakemake.input.validation,
    snakemake.output.model,
    snakemake.output.record,
    snakemake.threads,
)
