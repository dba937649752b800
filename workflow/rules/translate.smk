# Original documents -> English documents (the translated condition).


rule translate:
    input:
        documents=fill(layout.DOCUMENTS, condition="original"),
        oracle=oracle_input,
    output:
        documents=fill(layout.DOCUMENTS, condition="translated"),
        provenance=layout.TRANSLATIONS,
    log:
        "logs/translate/{dataset}.log",
    benchmark:
        "logs/translate/{dataset}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        backend=lambda wildcards: config[wildcards.dataset]["translation"],
    script:
        "../scripts/translate.py"


rule record_conditions:
    output:
        conditions=layout.TRANSLATION_CONDITIONS,
    log:
        "logs/translate/conditions.log",
    benchmark:
        "logs/translate/conditions.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=500,
    params:
        conditions=CONDITIONS,
        backends={dataset: config[dataset]["translation"] for dataset in DATASETS},
    script:
        "../scripts/record_conditions.py"
