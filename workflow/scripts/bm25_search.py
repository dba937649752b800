from crossrank.bm25 import steps
from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.bm25_search(
    snakemake.input.index,
    snakemake.input.topics,
    snakemake.params.bm25,
    snakemake.params.top_k,
    snakemake.params.run_name,
    snakemake.output.run,
)
