from crossrank.core.joblog import log_to_file
from crossrank.report import steps

log_to_file(snakemake.log[0])
steps.ann_table(snakemake.input.metrics, snakemake.params.metric, snakemake.output.csv, snakemake.output.markdown)
