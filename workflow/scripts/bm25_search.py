from crossrank.bm25 import steps
from crossrank.core.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.bm25_search(
    snakemake.input.index,
    snakemake.input.topics,
    snakemake.params.bm25,
    snakemake.params.top_k,
    snakemake.params.run_name,
    snakemake.output.run,
)
