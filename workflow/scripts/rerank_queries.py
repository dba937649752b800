from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs
from crossrank.rerank import steps

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.rerank_queries(snakemake.input.topics, snakemake.params.settings, snakemake.output.topics)
