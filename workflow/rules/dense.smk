# Documents and queries -> cached embeddings (shard jobs per encoder, then one gathering job)
# -> exact cosine runs and HNSW runs.


rule embed_shard:
    input:
        manifests=PLAN.manifests(),
        documents=PLAN.embedding_inputs("documents"),
        topics=PLAN.embedding_inputs("queries"),
    output:
        record=temp(layout.EMBEDDING_SHARD),
    log:
        "logs/embed/{encoder}.shard{shard}.log",
    benchmark:
        "logs/embed/{encoder}.shard{shard}.benchmark.tsv"
    wildcard_constraints:
        encoder=layout.REGISTRY_ENCODER,
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=8000,
        gpu=PLAN.embedding["gpus_per_shard"],
    params:
        encoder=encoder_settings,
        embedding=PLAN.embedding,
        cache=layout.EMBEDDING_CACHE,
    script:
        "../scripts/embed_shard.py"


rule embed:
    input:
        manifests=PLAN.manifests(),
        documents=PLAN.embedding_inputs("documents"),
        topics=PLAN.embedding_inputs("queries"),
        shards=embedding_shards,
    output:
        documents=PLAN.embedding_outputs("documents"),
        queries=PLAN.embedding_outputs("queries"),
        record=layout.EMBEDDING_RECORD,
    log:
        "logs/embed/{encoder}.log",
    benchmark:
        "logs/embed/{encoder}.benchmark.tsv"
    wildcard_constraints:
        encoder=layout.REGISTRY_ENCODER,
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        encoder=encoder_settings,
        # Only what changes the written matrices: shards, devices and chunks do not.
        embedding=PLAN.embedding_result_settings,
        cache=layout.EMBEDDING_CACHE,
    script:
        "../scripts/embed.py"


rule embed_finetuned_queries:
    input:
        manifests=fill(layout.MANIFEST, condition="original"),
        model=layout.FINETUNED_MODEL,
        documents=finetuned_embedding_documents,
        topics=layout.QUERIES,
    output:
        queries=layout.QUERY_EMBEDDINGS,
        record=layout.FINETUNED_EMBEDDING_RECORD,
    log:
        "logs/embed/{dataset}.{encoder}.queries.log",
    benchmark:
        "logs/embed/{dataset}.{encoder}.queries.benchmark.tsv"
    wildcard_constraints:
        encoder=layout.FINETUNED_ENCODER,
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=8000,
    params:
        encoder=finetuned_encoder_settings,
        embedding=PLAN.embedding_result_settings,
        cache=layout.EMBEDDING_CACHE,
    script:
        "../scripts/embed_finetuned_queries.py"


rule embed_finetuned_documents:
    input:
        manifests=manifests,
        model=layout.FINETUNED_MODEL,
        documents=layout.DOCUMENTS,
        record=layout.FINETUNED_EMBEDDING_RECORD,
    output:
        documents=layout.DOC_EMBEDDINGS,
    log:
        "logs/embed/{dataset}.{encoder}.documents.{condition}.log",
    benchmark:
        "logs/embed/{dataset}.{encoder}.documents.{condition}.benchmark.tsv"
    wildcard_constraints:
        encoder=layout.FINETUNED_ENCODER,
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=8000,
    params:
        encoder=finetuned_encoder_settings,
        embedding=PLAN.embedding_result_settings,
        cache=layout.EMBEDDING_CACHE,
    script:
        "../scripts/embed_finetuned_documents.py"


rule dense_search:
    input:
        manifests=manifests,
        queries=layout.QUERY_EMBEDDINGS,
        documents=layout.DOC_EMBEDDINGS,
        topics=layout.TOPICS,
        texts=layout.DOCUMENTS,
    output:
        run=run_file("dense"),
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
        run_name=run_name("dense"),
    script:
        "../scripts/dense_search.py"


rule ann_search:
    input:
        manifests=manifests,
        queries=layout.QUERY_EMBEDDINGS,
        documents=layout.DOC_EMBEDDINGS,
        topics=layout.TOPICS,
        texts=layout.DOCUMENTS,
    output:
        run=run_file("ann"),
    log:
        "logs/ann_search/{dataset}.{encoder}.{condition}.log",
    benchmark:
        "logs/ann_search/{dataset}.{encoder}.{condition}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        ann=config["ann"],
        top_k=config["retrieval"]["top_k"],
        cache=layout.ANN_CACHE,
        run_name=run_name("ann"),
    script:
        "../scripts/ann_search.py"
