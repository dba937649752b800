from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.translate(
    snakemake.input.documents,
    snakemake.params.backend,
    list(snakemake.input.english),
    dict(snakemake.params.nllb),
    dict(snakemake.output.items()),
)
