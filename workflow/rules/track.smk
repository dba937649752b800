# Runs and metrics -> MLflow: one experiment per dataset, one MLflow run per retrieval run.


rule track_run:
    input:
        run=run_path,
        metrics=layout.RUN_METRICS,
        embedding=embedding_record,
        training=training_markers,
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
        mlflow=PLAN.mlflow_settings(),
    script:
        "../scripts/track_run.py"


rule track_finetune:
    input:
        record=layout.FINETUNE_RECORD,
    output:
        logged=layout.MLFLOW_FINETUNE,
    log:
        "logs/track/{dataset}.{encoder}.finetune.log",
    benchmark:
        "logs/track/{dataset}.{encoder}.finetune.benchmark.tsv"
    wildcard_constraints:
        encoder=layout.FINETUNED_ENCODER,
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        settings=finetune_run_params,
        mlflow=PLAN.mlflow_settings(),
    script:
        "../scripts/track_finetune.py"


rule track_rerank:
    input:
        record=layout.RERANK_RECORD,
    output:
        logged=layout.MLFLOW_RERANK,
    log:
        "logs/track/{dataset}.{reranker}.rerank_train.log",
    benchmark:
        "logs/track/{dataset}.{reranker}.rerank_train.benchmark.tsv"
    wildcard_constraints:
        reranker=layout.any_of(PLAN.rerankers),
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        settings=rerank_train_params,
        mlflow=PLAN.mlflow_settings(),
    script:
        "../scripts/track_rerank.py"


rule track_report:
    input:
        metrics=layout.METRICS,
        tables=[
            layout.TABLE_TRANSLATION_CSV,
            layout.TABLE_TRANSLATION_MD,
            layout.TABLE_BIAS_CSV,
            layout.TABLE_BIAS_MD,
        ],
        figures=PLAN.dataset_figures,
        finetuning=PLAN.finetune_reports,
        reranking=PLAN.rerank_reports,
        linguistic=PLAN.linguistic_reports,
        significance=PLAN.significance_reports,
        ann=PLAN.ann_reports,
        findings=[layout.REPORT_MD, layout.REPORT_HTML],
    output:
        logged=layout.MLFLOW_REPORT,
    log:
        "logs/track/{dataset}.report.log",
    benchmark:
        "logs/track/{dataset}.report.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        settings=config,
        mlflow=PLAN.mlflow_settings(),
    script:
        "../scripts/track_report.py"
