from crossrank.core.joblog import log_to_file
from crossrank.core.manifest import check_inputs
from crossrank.finetune import steps

log_to_file(snakemake.log[0])
check_inputs(snakemake.input, snakemake.input.manifests)
steps.finetune_pairs_qd(snakemake.input.pairs, snakemake.params.settings, snakemake.output.train, snakemake.output.validation)
