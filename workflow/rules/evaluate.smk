# Runs -> per-pair metrics -> results/metrics.csv.


rule evaluate:
    input:
        manifests=fill(layout.MANIFEST, condition="original"),
        run=run_path,
        qrels=layout.QRELS,
        topics=evaluation_topics,
        docs=layout.DOCS_TABLE,
    output:
        metrics=layout.RUN_METRICS,
        queries=layout.RUN_QUERY_METRICS,
    log:
        "logs/evaluate/{dataset}.{run}.log",
    benchmark:
        "logs/evaluate/{dataset}.{run}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        evaluation=evaluation_settings,
    script:
        "../scripts/evaluate.py"


rule collect_metrics:
    input:
        metrics=PLAN.all_run_metrics(),
        queries=PLAN.all_run_query_metrics(),
    output:
        metrics=layout.METRICS,
        summary=directory(layout.METRICS_SUMMARY),
        queries=layout.QUERY_METRICS,
        pairs=directory(layout.PAIR_METRICS),
    log:
        "logs/collect_metrics.log",
    benchmark:
        "logs/collect_metrics.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    script:
        "../scripts/collect_metrics.py"
