from crossrank.core.joblog import log_to_file
from crossrank.prepare import steps

log_to_file(snakemake.log[0])
steps.prepare_cldr(snakemake.params.settings, dict(snakemake.output.items()), snakemake.params.truncation)
