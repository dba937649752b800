# Runs and metrics -> MLflow: one experiment per dataset, one MLflow run per retrieval run.


rule track_run:
    input:
        run=layout.RUN,
        metrics=layout.RUN_METRICS,
    output:
        logged=layout.MLFLOW_LOGGED,
    params:
        settings=run_params,
        mlflow=config["mlflow"],
    log:
        "logs/track/{dataset}.{run}.log",
    benchmark:
        "logs/track/{dataset}.{run}.benchmark.tsv"
    resources:
        mem_mb=1000,
    conda:
        "../../envs/pipeline.yaml"
    script:
        "../scripts/track_run.py"
