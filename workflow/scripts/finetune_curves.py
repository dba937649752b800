from crossrank.core.joblog import log_to_file
from crossrank.report import steps

log_to_file(snakemake.log[0])
steps.finetune_curves(list(snakemake.input.records), snakemake.output.csv, snakemake.output.figure)
