from crossrank.core.joblog import log_to_file
from crossrank.report import steps

log_to_file(snakemake.log[0])
steps.finetuning_tables(
    snakemake.input.metrics,
    snakemake.params.metric,
    snakemake.params.encoders,
    snakemake.params.levels,
    snakemake.params.pairs,
    dict(snakemake.output.items()),
)
