from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.bm25_index(snakemake.input.documents, snakemake.params.bm25, snakemake.output.index)
