# Documents and queries -> cached embeddings -> exact cosine runs, per encoder and condition.


rule embed_documents:
    input:
        documents=layout.DOCUMENTS,
    output:
        embeddings=layout.DOC_EMBEDDINGS,
    log:
        "logs/embed/{dataset}.{encoder}.documents.{condition}.log",
    benchmark:
        "logs/embed/{dataset}.{encoder}.documents.{condition}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        encoder=lambda wildcards: config["encoders"][wildcards.encoder],
        cache=layout.EMBEDDING_CACHE,
    script:
        "../scripts/embed_documents.py"


rule embed_queries:
    input:
        topics=layout.TOPICS,
    output:
        embeddings=layout.QUERY_EMBEDDINGS,
    log:
        "logs/embed/{dataset}.{encoder}.queries.log",
    benchmark:
        "logs/embed/{dataset}.{encoder}.queries.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        encoder=lambda wildcards: config["encoders"][wildcards.encoder],
        cache=layout.EMBEDDING_CACHE,
    script:
        "../scripts/embed_queries.py"


rule dense_search:
    input:
        queries=layout.QUERY_EMBEDDINGS,
        documents=layout.DOC_EMBEDDINGS,
        topics=layout.TOPICS,
        texts=layout.DOCUMENTS,
    output:
        run=fill(layout.RUN, run="dense.{encoder}.{condition}"),
    log:
        "logs/dense_search/{dataset}.{encoder}.{condition}.log",
    benchmark:
        "logs/dense_search/{dataset}.{encoder}.{condition}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        retrieval=config["retrieval"],
        run_name=lambda wildcards: f"dense.{wildcards.encoder}.{wildcards.condition}",
    script:
        "../scripts/dense_search.py"
