from crossrank.core.joblog import log_to_file
from crossrank.translate import steps

log_to_file(snakemake.log[0])
steps.translation_quality(snakemake.input.documents, snakemake.input.translated, snakemake.input.reference, snakemake.output.quality)
