"""Stage ``dense`` (workflow/rules/dense.smk): the encoder registry, the embedding cache, and exact and
HNSW search over the cached embeddings."""
