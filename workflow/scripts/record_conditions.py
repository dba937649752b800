from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.record_conditions(snakemake.params.conditions, snakemake.params.backends, snakemake.output.conditions)
