# First-stage runs -> fused runs (beyond the paper): each fusion method over each member list, per condition.


rule fuse:
    input:
        runs=fusion_inputs,
    output:
        run=fill(layout.RUN, run="fusion.{method}.{members}.{condition}"),
    log:
        "logs/fuse/{dataset}.fusion.{method}.{members}.{condition}.log",
    benchmark:
        "logs/fuse/{dataset}.fusion.{method}.{members}.{condition}.benchmark.tsv"
    wildcard_constraints:
        method=layout.any_of(PLAN.fusion_methods),
        members=r"(bm25|(dense|ann)\.[A-Za-z0-9_+-]+)(\+(bm25|(dense|ann)\.[A-Za-z0-9_+-]+))+",
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=2000,
    params:
        settings=fusion_settings,
        top_k=config["retrieval"]["top_k"],
        run_name=fusion_run_name,
    script:
        "../scripts/fuse.py"
