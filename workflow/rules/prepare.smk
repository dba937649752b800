# Datasets -> results contract (docs, topics, qrels), document texts and training material.


rule prepare_cldr:
    output:
        documents=fill(layout.DOCUMENTS, dataset="cldr", condition="original"),
        oracle=fill(layout.ORACLE_ENGLISH, dataset="cldr"),
        phrase_pairs=fill(layout.PHRASE_PAIRS, dataset="cldr"),
        query_documents=fill(layout.QUERY_DOCUMENTS, dataset="cldr"),
        docs=fill(layout.DOCS_TABLE, dataset="cldr"),
        topics=fill(layout.TOPICS, dataset="cldr"),
        qrels=fill(layout.QRELS, dataset="cldr"),
        statistics=fill(layout.STATISTICS, dataset="cldr"),
    log:
        "logs/prepare/cldr.log",
    benchmark:
        "logs/prepare/cldr.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        settings={k: v for k, v in config["cldr"].items() if k != "translation"},
    script:
        "../scripts/prepare_cldr.py"
