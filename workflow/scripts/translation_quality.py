from crossrank import steps
from crossrank.joblog import log_to_file

log_to_file(snakemake.log[0])
steps.translation_quality(snakemake.input.documents, snakemake.input.translated, snakemake.input.reference, snakemake.output.quality)
