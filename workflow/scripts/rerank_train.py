from crossrank.core.joblog import log_to_file
from crossrank.rerank import steps

log_to_file(snakemake.log[0])
steps.rerank_train(
    snakemake.wildcards.reranker,
    snakemake.params.base,
    snakemake.params.settings,
    snakemake.input.train,
    snakemake.input.validation,
    snakemake.output.model,
    snakemake.output.record,
    snakemake.threads,
    snakemake.input.pairs_record,
)
