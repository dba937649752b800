from crossrank.core.joblog import log_to_file
from crossrank.report import steps

log_to_file(snakemake.log[0])
steps.rerank_table(
    snakemake.input.metrics,
    snakemake.params.rerankers,
    snakemake.params.metrics,
    snakemake.params.pairs,
    snakemake.params.queries_per_pair,
    snakemake.output.csv,
    snakemake.output.markdown,
)
