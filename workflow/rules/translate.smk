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
