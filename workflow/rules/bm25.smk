# Documents -> BM25 index -> BM25 runs, per condition.


rule bm25_index:
    input:
        manifests=manifests,
        documents=layout.DOCUMENTS,
    output:
        index=directory(layout.BM25_INDEX),
    log:
        "logs/bm25_index/{dataset}.{condition}.log",
    benchmark:
        "logs/bm25_index/{dataset}.{condition}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=2000,
    params:
        bm25=config["bm25"],
    script:
        "../scripts/bm25_index.py"


rule bm25_search:
    input:
        manifests=fill(layout.MANIFEST, condition="original"),
        index=layout.BM25_INDEX,
        topics=layout.TOPICS,
    output:
        run=run_file("bm25"),
    log:
        "logs/bm25_search/{dataset}.{condition}.log",
    benchmark:
        "logs/bm25_search/{dataset}.{condition}.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=2000,
    params:
        bm25=config["bm25"],
        top_k=config["retrieval"]["top_k"],
        run_name=run_name("bm25"),
    script:
        "../scripts/bm25_search.py"
