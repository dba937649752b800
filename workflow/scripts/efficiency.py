from crossrank.core.joblog import log_to_file
from crossrank.efficiency import steps

log_to_file(snakemake.log[0])
steps.efficiency(
    snakemake.input.documents,
    snakemake.input.queries,
    snakemake.params.study,
    snakemake.params.ann,
    snakemake.params.retrieval,
    dict(snakemake.output.items()),
    snakemake.threads,
)
