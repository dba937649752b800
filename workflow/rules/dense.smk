# Documents and queries -> cached embeddings (one job per encoder) -> exact cosine runs.


rule embed:
    input:
        documents=embedding_inputs("documents"),
        topics=embedding_inputs("queries"),
    output:
        documents=embedding_outputs("documents"),
        queries=embedding_outputs("queries"),
    log:
        "logs/embed/{encoder}.log",
    benchmark:
        "logs/embed/{encoder}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        encoder=lambda wildcards: config["encoders"][wildcards.encoder],
        cache=layout.EMBEDDING_CACHE,
    script:
        "../scripts/embed.py"


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
