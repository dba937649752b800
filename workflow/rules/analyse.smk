# Runs -> what they say beyond their scores: document-language bias per run (the paper's Figures 6 and 8).


rule language_bias:
    input:
        manifests=fill(layout.MANIFEST, condition="original"),
        runs=dataset_runs,
        topics=layout.TOPICS,
        docs=layout.DOCS_TABLE,
    output:
        bias=layout.BIAS,
    log:
        "logs/language_bias/{dataset}.log",
    benchmark:
        "logs/language_bias/{dataset}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=2000,
    params:
        run_names=dataset_run_names,
        depth=config["report"]["bias_depth"],
    script:
        "../scripts/language_bias.py"
