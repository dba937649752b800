from crossrank.core.joblog import log_to_file
from crossrank.efficiency import steps

log_to_file(snakemake.log[0])
steps.skip_efficiency(snakemake.output.markdown)
