from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs
from crossrank.dense import steps

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.ann_search(
    snakemake.input.queries,
    snakemake.input.documents,
    snakemake.input.topics,
    snakemake.input.texts,
    snakemake.params.ann,
    snakemake.params.top_k,
    snakemake.params.cache,
    snakemake.params.run_name,
    snakemake.output.run,
    snakemake.threads,
)
