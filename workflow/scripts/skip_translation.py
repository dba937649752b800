from crossrank.core.joblog import log_to_file
from crossrank.translate import steps

log_to_file(snakemake.log[0])
steps.skip_translation(snakemake.input.documents, dict(snakemake.output.items()))
