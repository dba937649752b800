from crossrank.core.joblog import log_to_file
from crossrank.finetune import steps

log_to_file(snakemake.log[0])
steps.finetune_pairs_word(snakemake.params.settings, snakemake.params.languages, snakemake.output.train, snakemake.output.validation)
