from crossrank.core.joblog import log_to_file
from crossrank.track import steps

log_to_file(snakemake.log[0])
steps.track_report(
    snakemake.wildcards.dataset,
    snakemake.params.settings,
    snakemake.input.metrics,
    [
        *snakemake.input.tables,
        *snakemake.input.figures,
        *snakemake.input.finetuning,
        *snakemake.input.reranking,
        *snakemake.input.linguistic,
        *snakemake.input.significance,
        *snakemake.input.ann,
        *snakemake.input.findings,
    ],
    snakemake.params.mlflow,
    snakemake.output.logged,
)
