from crossrank.core.joblog import log_to_file
from crossrank.finetune import steps

log_to_file(snakemake.log[0])
steps.finetune_pairs_qd(snakemake.input.pairs, snakemake.params.settings, snakemake.output.train, snakemake.output.validation)
