"""Stage ``bm25`` (workflow/rules/bm25.smk): language-aware analysis, BM25 indexes and BM25 runs."""
