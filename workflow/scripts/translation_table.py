from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.translation_table(snakemake.input.metrics, snakemake.params.metric, snakemake.output.csv, snakemake.output.markdown)
