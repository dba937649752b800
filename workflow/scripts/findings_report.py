from crossrank.core.joblog import log_to_file
from crossrank.report import steps

log_to_file(snakemake.log[0])
steps.findings_report(
    snakemake.params.shown,
    {
        "metrics": snakemake.input.metrics,
        "queries": snakemake.input.queries,
        "significance": snakemake.input.significance,
        "intervals": snakemake.input.intervals,
        "paper": snakemake.input.paper,
        "bias": list(snakemake.input.bias),
        "linguistic": next(iter(snakemake.input.linguistic), None),
        "efficiency": next(iter(snakemake.input.efficiency), None),
    },
    snakemake.params.settings,
    snakemake.output.markdown,
    snakemake.output.html,
)
