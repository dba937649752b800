from crossrank.core.joblog import log_to_file
from crossrank.finetune import steps

log_to_file(snakemake.log[0])
steps.finetune_pairs_phrase(
    snakemake.params.settings,
    snakemake.output.train,
    snakemake.output.validation,
    phrase_pairs=snakemake.input.get("phrase_pairs"),
    language_pairs=snakemake.params.language_pairs,
)
