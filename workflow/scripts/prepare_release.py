from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.prepare_release(snakemake.params.dataset, snakemake.params.settings, dict(snakemake.output.items()))
