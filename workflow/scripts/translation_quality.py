from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs
from crossrank.translate import steps

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.translation_quality(snakemake.input.documents, snakemake.input.translated, snakemake.input.reference, snakemake.output.quality)
