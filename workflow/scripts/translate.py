from crossrank.core.joblog import log_to_file
from crossrank.translate import steps

log_to_file(snakemake.log[0])
steps.translate(
    snakemake.input.documents,
    snakemake.params.backend,
    list(snakemake.input.english),
    dict(snakemake.params.nllb),
    dict(snakemake.output.items()),
)
