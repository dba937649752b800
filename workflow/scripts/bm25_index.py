from crossrank.bm25 import steps
from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.bm25_index(snakemake.input.documents, snakemake.params.bm25, snakemake.output.index)
