from crossrank.core.joblog import log_to_file
from crossrank.prepare import steps

log_to_file(snakemake.log[0])
steps.download_release(snakemake.wildcards.dataset, snakemake.params.settings, snakemake.output.manifest)
