# Datasets -> results contract (docs, topics, qrels), document texts and training material.


rule prepare_cldr:
    output:
        documents=fill(layout.DOCUMENTS, dataset="cldr", condition="original"),
        queries=fill(layout.QUERIES, dataset="cldr"),
        oracle=fill(layout.ORACLE_ENGLISH, dataset="cldr"),
        phrase_pairs=fill(layout.PHRASE_PAIRS, dataset="cldr"),
        query_documents=fill(layout.QUERY_DOCUMENTS, dataset="cldr"),
        candidates=fill(layout.TRAINING_CANDIDATES, dataset="cldr"),
        docs=fill(layout.DOCS_TABLE, dataset="cldr"),
        topics=fill(layout.TOPICS, dataset="cldr"),
        qrels=fill(layout.QRELS, dataset="cldr"),
        statistics=fill(layout.STATISTICS, dataset="cldr"),
        manifest=fill(layout.MANIFEST, dataset="cldr", condition="original"),
    log:
        "logs/prepare/cldr.log",
    benchmark:
        "logs/prepare/cldr.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        settings=PLAN.protocol_settings("cldr"),
        truncation=PLAN.truncation,
    script:
        "../scripts/prepare_cldr.py"


# The released datasets: each protocol reads its release and writes the same files as cldr.
rule prepare_clirmatrix:
    input:
        release=release_input("clirmatrix"),
    output:
        documents=fill(layout.DOCUMENTS, dataset="clirmatrix", condition="original"),
        queries=fill(layout.QUERIES, dataset="clirmatrix"),
        query_documents=fill(layout.QUERY_DOCUMENTS, dataset="clirmatrix"),
        candidates=fill(layout.TRAINING_CANDIDATES, dataset="clirmatrix"),
        docs=fill(layout.DOCS_TABLE, dataset="clirmatrix"),
        topics=fill(layout.TOPICS, dataset="clirmatrix"),
        qrels=fill(layout.QRELS, dataset="clirmatrix"),
        statistics=fill(layout.STATISTICS, dataset="clirmatrix"),
        manifest=fill(layout.MANIFEST, dataset="clirmatrix", condition="original"),
    log:
        "logs/prepare/clirmatrix.log",
    benchmark:
        "logs/prepare/clirmatrix.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=8000,
    params:
        settings=PLAN.protocol_settings("clirmatrix"),
        truncation=PLAN.truncation,
    script:
        "../scripts/prepare_clirmatrix.py"


rule prepare_largescale:
    input:
        release=release_input("largescale"),
    output:
        documents=fill(layout.DOCUMENTS, dataset="largescale", condition="original"),
        queries=fill(layout.QUERIES, dataset="largescale"),
        query_documents=fill(layout.QUERY_DOCUMENTS, dataset="largescale"),
        candidates=fill(layout.TRAINING_CANDIDATES, dataset="largescale"),
        docs=fill(layout.DOCS_TABLE, dataset="largescale"),
        topics=fill(layout.TOPICS, dataset="largescale"),
        qrels=fill(layout.QRELS, dataset="largescale"),
        statistics=fill(layout.STATISTICS, dataset="largescale"),
        manifest=fill(layout.MANIFEST, dataset="largescale", condition="original"),
    log:
        "logs/prepare/largescale.log",
    benchmark:
        "logs/prepare/largescale.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=8000,
    params:
        settings=PLAN.protocol_settings("largescale"),
        truncation=PLAN.truncation,
    script:
        "../scripts/prepare_largescale.py"


rule prepare_mmarco:
    input:
        release=release_input("mmarco"),
    output:
        documents=fill(layout.DOCUMENTS, dataset="mmarco", condition="original"),
        queries=fill(layout.QUERIES, dataset="mmarco"),
        oracle=fill(layout.ORACLE_ENGLISH, dataset="mmarco"),
        query_documents=fill(layout.QUERY_DOCUMENTS, dataset="mmarco"),
        candidates=fill(layout.TRAINING_CANDIDATES, dataset="mmarco"),
        docs=fill(layout.DOCS_TABLE, dataset="mmarco"),
        topics=fill(layout.TOPICS, dataset="mmarco"),
        qrels=fill(layout.QRELS, dataset="mmarco"),
        statistics=fill(layout.STATISTICS, dataset="mmarco"),
        manifest=fill(layout.MANIFEST, dataset="mmarco", condition="original"),
    log:
        "logs/prepare/mmarco.log",
    benchmark:
        "logs/prepare/mmarco.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=8000,
    params:
        settings=PLAN.protocol_settings("mmarco"),
        truncation=PLAN.truncation,
    script:
        "../scripts/prepare_mmarco.py"


# ir_datasets -> data/raw/{dataset} in the release's own layout (source: ir_datasets), once.
rule download_release:
    output:
        manifest=layout.RAW_MANIFEST,
    log:
        "logs/download/{dataset}.log",
    benchmark:
        "logs/download/{dataset}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=4000,
    params:
        settings=lambda wildcards: PLAN.protocol_settings(wildcards.dataset),
    script:
        "../scripts/download_release.py"


rule record_sources:
    input:
        PLAN.sources_inputs(),
    output:
        sources=layout.RAW_SOURCES,
    log:
        "logs/download/sources.log",
    benchmark:
        "logs/download/sources.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=500,
    params:
        settings={name: PLAN.protocol_settings(name) for name in PLAN.datasets},
    script:
        "../scripts/record_sources.py"
