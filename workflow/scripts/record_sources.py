from crossrank.core.joblog import log_to_file
from crossrank.prepare import steps

log_to_file(snakemake.log[0])
steps.record_sources(snakemake.params.settings, snakemake.output.sources)
