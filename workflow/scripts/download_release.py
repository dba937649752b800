from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.download_release(snakemake.wildcards.dataset, snakemake.params.settings, snakemake.output.manifest)
