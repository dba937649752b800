# crossrank: cross-lingual retrieval experiments as one DAG. Wiring only: every path comes
# from crossrank.core.layout, every decision from crossrank.plan, every computation from the library.
from snakemake.utils import min_version

min_version("9.0")


include: "workflow/rules/preflight.smk"


configfile: "params.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/prepare.smk"
include: "workflow/rules/translate.smk"
include: "workflow/rules/finetune.smk"
include: "workflow/rules/bm25.smk"
include: "workflow/rules/dense.smk"
include: "workflow/rules/fusion.smk"
include: "workflow/rules/rerank.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/efficiency.smk"
include: "workflow/rules/track.smk"


rule all:
    default_target: True
    input:
        PLAN.all_targets(),


# One target per DVC stage (dvc.yaml): `snakemake stage_<name>` builds that stage's files.
for stage in layout.GLOBAL_STAGES:

    rule:
        name:
            f"stage_{stage}"
        input:
            PLAN.stage_targets(stage),


for stage in layout.DATASET_STAGES:
    for dataset in PLAN.datasets:

        rule:
            name:
                f"stage_{stage}_{dataset}"
            input:
                PLAN.stage_targets(stage, [dataset]),
