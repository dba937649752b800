from crossrank.core.joblog import log_to_file
from crossrank.rerank import steps

log_to_file(snakemake.log[0])
steps.rerank_queries(snakemake.input.topics, snakemake.params.settings, snakemake.output.topics)
