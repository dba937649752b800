from crossrank.core.joblog import log_to_file
from crossrank.fusion import steps

log_to_file(snakemake.log[0])
steps.fuse(
    list(snakemake.input.runs),
    snakemake.params.settings,
    snakemake.params.top_k,
    snakemake.params.run_name,
    snakemake.output.run,
)
