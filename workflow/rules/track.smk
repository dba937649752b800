# Runs and metrics -> MLflow: one experiment per dataset, one MLflow run per retrieval run.


rule track_run:
    input:
        run=layout.RUN,
        metrics=layout.RUN_METRICS,
    output:
        logged=layout.MLFLOW_LOGGED,
    log:
        "logs/track/{dataset}.{run}.log",
    benchmark:
        "logs/track/{dataset}.{run}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        settings=run_params,
        mlflow=config["mlflow"],
    script:
        "../scripts/track_run.py"
