from crossrank.core.joblog import log_to_file
from crossrank.track import steps

log_to_file(snakemake.log[0])
steps.track_rerank(
    snakemake.wildcards.dataset,
    snakemake.wildcards.reranker,
    snakemake.params.settings,
    snakemake.input.record,
    snakemake.params.mlflow,
    snakemake.output.logged,
)
