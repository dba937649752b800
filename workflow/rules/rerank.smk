# Training examples per negative strategy -> a cross-encoder per (dataset, <encoder>-<negatives>)
# -> re-ranked runs of each first stage, in both candidate modes.


rule rerank_queries:
    input:
        manifests=fill(layout.MANIFEST, condition="original"),
        topics=layout.TOPICS,
    output:
        topics=layout.RERANK_QUERIES,
    log:
        "logs/rerank/{dataset}.queries.log",
    benchmark:
        "logs/rerank/{dataset}.queries.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        settings=rerank_queries_settings,
    script:
        "../scripts/rerank_queries.py"


rule rerank_pairs:
    input:
        manifests=fill(layout.MANIFEST, condition="original"),
        pairs=layout.QUERY_DOCUMENTS,
        candidates=layout.TRAINING_CANDIDATES,
    output:
        train=fill(layout.RERANK_PAIRS, split="train"),
        validation=fill(layout.RERANK_PAIRS, split="validation"),
        record=layout.RERANK_PAIRS_RECORD,
    log:
        "logs/rerank/{dataset}.pairs_{negatives}.log",
    benchmark:
        "logs/rerank/{dataset}.pairs_{negatives}.benchmark.tsv"
    wildcard_constraints:
        negatives="easy|hard",
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        settings=PLAN.rerank_settings,
        hard=rerank_hard_negatives,
        cache=layout.EMBEDDING_CACHE,
    script:
        "../scripts/rerank_pairs.py"


rule rerank_train:
    input:
        unpack(rerank_training_files),
    output:
        model=directory(layout.RERANK_MODEL),
        record=layout.RERANK_RECORD,
    log:
        "logs/rerank/{dataset}.{reranker}.log",
    benchmark:
        "logs/rerank/{dataset}.{reranker}.benchmark.tsv"
    wildcard_constraints:
        reranker=layout.any_of(PLAN.rerankers),
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=8000,
    params:
        base=rerank_base,
        settings=PLAN.rerank_settings,
    script:
        "../scripts/rerank_train.py"


rule rerank:
    input:
        unpack(rerank_run_inputs),
        manifests=manifests,
    output:
        run=fill(layout.RERANKED_RUN, run="rerank.{reranker}.{stage}.{condition}"),
    log:
        "logs/rerank/{dataset}.rerank.{reranker}.{stage}.{condition}.log",
    benchmark:
        "logs/rerank/{dataset}.rerank.{reranker}.{stage}.{condition}.benchmark.tsv"
    wildcard_constraints:
        reranker=r"[A-Za-z0-9_-]+",
        stage=r"bm25|(dense|ann)\.[A-Za-z0-9_+-]+",
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        settings=PLAN.rerank_settings,
        cache=layout.RERANK_CACHE,
    script:
        "../scripts/rerank.py"
