from crossrank.bm25 import steps
from crossrank.core.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.bm25_index(snakemake.input.documents, snakemake.params.bm25, snakemake.output.index)
