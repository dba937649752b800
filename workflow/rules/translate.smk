# Original documents -> English documents (the translated condition).


rule translate:
    input:
        documents=fill(layout.DOCUMENTS, condition="original"),
        oracle=oracle_input,
    output:
        documents=fill(layout.DOCUMENTS, condition="translated"),
        provenance=layout.TRANSLATIONS,
    params:
        backend=lambda wildcards: config[wildcards.dataset]["translation"],
    log:
        "logs/translate/{dataset}.log",
    benchmark:
        "logs/translate/{dataset}.benchmark.tsv"
    resources:
        mem_mb=1000,
    conda:
        "../../envs/pipeline.yaml"
    script:
        "../scripts/translate.py"
