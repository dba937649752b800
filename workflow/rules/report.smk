# Metrics -> the paper's tables and figures.


rule translation_table:
    input:
        metrics=layout.METRICS,
    output:
        csv=layout.TABLE_TRANSLATION_CSV,
        markdown=layout.TABLE_TRANSLATION_MD,
    log:
        "logs/report/translation_table.log",
    benchmark:
        "logs/report/translation_table.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        metric=config["report"]["metric"],
    script:
        "../scripts/translation_table.py"


rule figures:
    input:
        metrics=layout.METRICS,
    output:
        bm25=layout.FIGURE_BM25,
        encoders=layout.FIGURE_ENCODERS,
    log:
        "logs/report/figures.{dataset}.log",
    benchmark:
        "logs/report/figures.{dataset}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        metric=config["report"]["metric"],
        query_languages=query_languages,
        doc_languages=doc_languages,
        conditions=dataset_conditions,
        encoders=PLAN.figure_encoders,
        pairs=config["report"]["highlight_pairs"],
    script:
        "../scripts/figures.py"


rule bias_report:
    input:
        bias=layout.BIAS,
    output:
        csv=layout.TABLE_BIAS_CSV,
        markdown=layout.TABLE_BIAS_MD,
        figure=layout.FIGURE_BIAS,
    log:
        "logs/report/bias_report.{dataset}.log",
    benchmark:
        "logs/report/bias_report.{dataset}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        run_names=bias_figure_runs,
        depth=config["report"]["bias_depth"],
    script:
        "../scripts/bias_report.py"


rule finetuning_tables:
    input:
        metrics=layout.METRICS,
    output:
        csv=layout.TABLE_FINETUNE_CSV,
        markdown=layout.TABLE_FINETUNE_MD,
        best_csv=layout.TABLE_BEST_CSV,
        best_markdown=layout.TABLE_BEST_MD,
    log:
        "logs/report/finetuning_tables.log",
    benchmark:
        "logs/report/finetuning_tables.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        metric=config["report"]["metric"],
        encoders=config["finetune"]["encoders"],
        levels=config["finetune"]["levels"],
        pairs=config["report"]["highlight_pairs"],
    script:
        "../scripts/finetuning_tables.py"


rule finetune_curves:
    input:
        records=PLAN.finetune_records,
    output:
        csv=layout.FINETUNE_CURVES_CSV,
        figure=layout.FINETUNE_CURVES_FIGURE,
    log:
        "logs/report/finetune_curves.log",
    benchmark:
        "logs/report/finetune_curves.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    script:
        "../scripts/finetune_curves.py"


rule rerank_table:
    input:
        metrics=layout.METRICS,
    output:
        csv=layout.TABLE_RERANK_CSV,
        markdown=layout.TABLE_RERANK_MD,
    log:
        "logs/report/rerank_table.log",
    benchmark:
        "logs/report/rerank_table.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        rerankers=list(PLAN.rerankers),
        metrics=config["report"]["rerank_metrics"],
        pairs=config["report"]["highlight_pairs"],
        queries_per_pair=PLAN.rerank_queries_per_dataset,
    script:
        "../scripts/rerank_table.py"


rule linguistic_table:
    input:
        metrics=layout.METRICS,
    output:
        csv=layout.TABLE_LINGUISTIC_CSV,
        markdown=layout.TABLE_LINGUISTIC_MD,
        similarities=layout.LINGUISTIC_SIMILARITY,
        figure=layout.FIGURE_LINGUISTIC,
    log:
        "logs/report/linguistic_table.log",
    benchmark:
        "logs/report/linguistic_table.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=2000,
    params:
        metric=config["report"]["metric"],
        runs=PLAN.linguistic_runs,
        settings=PLAN.linguistic_settings,
    script:
        "../scripts/linguistic_table.py"


rule significance_table:
    input:
        queries=layout.QUERY_METRICS,
    output:
        csv=layout.TABLE_SIGNIFICANCE_CSV,
        markdown=layout.TABLE_SIGNIFICANCE_MD,
        intervals=layout.INTERVALS,
    log:
        "logs/report/significance_table.log",
    benchmark:
        "logs/report/significance_table.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=4000,
    params:
        comparisons=PLAN.significance_comparisons,
        settings=PLAN.significance_settings,
    script:
        "../scripts/significance_table.py"
