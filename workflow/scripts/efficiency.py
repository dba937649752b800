from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.efficiency_study(
    snakemake.input.documents,
    snakemake.input.queries,
    snakemake.params.study,
    snakemake.params.ann,
    snakemake.params.retrieval,
    dict(snakemake.output.items()),
    snakemake.threads,
)
