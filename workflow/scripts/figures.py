from crossrank.core.joblog import log_to_file
from crossrank.report import steps

log_to_file(snakemake.log[0])
steps.figures(
    snakemake.input.metrics,
    snakemake.wildcards.dataset,
    snakemake.params.metric,
    snakemake.params.query_languages,
    snakemake.params.doc_languages,
    snakemake.params.conditions,
    snakemake.params.encoders,
    snakemake.params.pairs,
    snakemake.output.bm25,
    snakemake.output.encoders,
)
