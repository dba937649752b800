# Runs -> per-pair metrics -> results/metrics.csv.


rule evaluate:
    input:
        run=layout.RUN,
        qrels=layout.QRELS,
        topics=layout.TOPICS,
    output:
        metrics=layout.RUN_METRICS,
    params:
        evaluation=config["evaluation"],
    log:
        "logs/evaluate/{dataset}.{run}.log",
    benchmark:
        "logs/evaluate/{dataset}.{run}.benchmark.tsv"
    resources:
        mem_mb=1000,
    conda:
        "../../envs/pipeline.yaml"
    script:
        "../scripts/evaluate.py"


rule collect_metrics:
    input:
        all_run_metrics(),
    output:
        metrics=layout.METRICS,
        summary=layout.METRICS_SUMMARY,
    log:
        "logs/collect_metrics.log",
    benchmark:
        "logs/collect_metrics.benchmark.tsv"
    resources:
        mem_mb=1000,
    conda:
        "../../envs/pipeline.yaml"
    script:
        "../scripts/collect_metrics.py"
