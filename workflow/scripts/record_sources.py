from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.record_sources(snakemake.params.settings, snakemake.output.sources)
