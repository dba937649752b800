from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.translate(
    snakemake.input.documents,
    snakemake.params.backend,
    snakemake.input.oracle or None,
    snakemake.output.documents,
    snakemake.output.provenance,
)
