from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.skip_efficiency(snakemake.output.markdown)
