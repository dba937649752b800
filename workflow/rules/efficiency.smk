# Cached embeddings -> the exact-vs-HNSW efficiency study (timings, not results: they vary by machine).


if PLAN.efficiency_source is None:

    rule skip_efficiency:
        output:
            markdown=layout.EFFICIENCY_MD,
        log:
            "logs/efficiency.log",
        conda:
            "../../envs/pipeline.yaml"
        resources:
            mem_mb=500,
        script:
            "../scripts/skip_efficiency.py"

else:

    rule efficiency:
        input:
            documents=efficiency_embeddings("documents"),
            queries=efficiency_embeddings("queries"),
        output:
            csv=layout.EFFICIENCY_CSV,
            markdown=layout.EFFICIENCY_MD,
            figure=report(
                layout.EFFICIENCY_FIGURE,
                caption="../report/efficiency.rst",
                category="Figures",
                subcategory="beyond the paper",
            ),
            figure_pdf=layout.pdf(layout.EFFICIENCY_FIGURE),
            summary=layout.EFFICIENCY_SUMMARY_CSV,
        log:
            "logs/efficiency.log",
        benchmark:
            "logs/efficiency.benchmark.tsv"
        conda:
            "../../envs/pipeline.yaml"
        threads: 2
        resources:
            mem_mb=8000,
        params:
            study=config["efficiency"],
            ann=config["ann"],
            retrieval=config["retrieval"],
        script:
            "../scripts/efficiency.py"
