# Metrics -> the paper's tables and figures.


rule translation_table:
    input:
        metrics=layout.METRICS,
    output:
        csv=layout.TABLE_TRANSLATION_CSV,
        markdown=report(
            layout.TABLE_TRANSLATION_MD,
            caption="../report/table3.rst",
            category="Tables",
        ),
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
        bm25=report(
            layout.FIGURE_BM25,
            caption="../report/figure3.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        encoders=report(
            layout.FIGURE_ENCODERS,
            caption="../report/figure4.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        bm25_pdf=layout.pdf(layout.FIGURE_BM25),
        encoders_pdf=layout.pdf(layout.FIGURE_ENCODERS),
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
        figure=report(
            layout.FIGURE_BIAS,
            caption="../report/figure6.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        figure_pdf=layout.pdf(layout.FIGURE_BIAS),
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
        markdown=report(
            layout.TABLE_FINETUNE_MD, caption="../report/table4.rst", category="Tables"
        ),
        best_csv=layout.TABLE_BEST_CSV,
        best_markdown=report(
            layout.TABLE_BEST_MD, caption="../report/table5.rst", category="Tables"
        ),
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
        figure=report(
            layout.FINETUNE_CURVES_FIGURE,
            caption="../report/finetune_curves.rst",
            category="Figures",
            subcategory="beyond the paper",
        ),
        figure_pdf=layout.pdf(layout.FINETUNE_CURVES_FIGURE),
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
        markdown=report(
            layout.TABLE_RERANK_MD, caption="../report/table6.rst", category="Tables"
        ),
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
        markdown=report(
            layout.TABLE_LINGUISTIC_MD,
            caption="../report/table8.rst",
            category="Tables",
        ),
        similarities=layout.LINGUISTIC_SIMILARITY,
        figure=report(
            layout.FIGURE_LINGUISTIC,
            caption="../report/linguistic_figure.rst",
            category="Figures",
            subcategory="all datasets",
        ),
        figure_pdf=layout.pdf(layout.FIGURE_LINGUISTIC),
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
        markdown=report(
            layout.TABLE_SIGNIFICANCE_MD,
            caption="../report/significance.rst",
            category="Tables",
        ),
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


rule ann_table:
    input:
        metrics=layout.METRICS,
    output:
        csv=layout.TABLE_ANN_CSV,
        markdown=report(
            layout.TABLE_ANN_MD, caption="../report/table7.rst", category="Tables"
        ),
    log:
        "logs/report/ann_table.log",
    benchmark:
        "logs/report/ann_table.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        metric=config["report"]["metric"],
    script:
        "../scripts/ann_table.py"


rule best_figure:
    input:
        metrics=layout.METRICS,
    output:
        figure=report(
            layout.FIGURE_BEST,
            caption="../report/figure5.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        figure_pdf=layout.pdf(layout.FIGURE_BEST),
    log:
        "logs/report/best_figure.{dataset}.log",
    benchmark:
        "logs/report/best_figure.{dataset}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        metric=config["report"]["metric"],
        conditions=dataset_conditions,
        pairs=config["report"]["highlight_pairs"],
    script:
        "../scripts/best_figure.py"


rule findings_report:
    input:
        PLAN.report_inputs(),
        metrics=layout.METRICS,
        queries=layout.QUERY_METRICS,
        significance=layout.TABLE_SIGNIFICANCE_CSV,
        intervals=layout.INTERVALS,
        paper=layout.PAPER_RESULTS,
        bias=expand(layout.TABLE_BIAS_CSV, dataset=PLAN.datasets),
        linguistic=PLAN.linguistic_reports[:1],
        efficiency=[layout.EFFICIENCY_CSV] if PLAN.efficiency_source else [],
    output:
        markdown=report(
            layout.REPORT_MD, caption="../report/findings.rst", category="Report"
        ),
        html=layout.REPORT_HTML,
    log:
        "logs/report/findings_report.log",
    benchmark:
        "logs/report/findings_report.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=2000,
    params:
        shown=PLAN.report_items,
        settings=PLAN.findings_settings,
    script:
        "../scripts/findings_report.py"
