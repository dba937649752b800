"""Stage ``efficiency`` (workflow/rules/efficiency.smk): exact dense search vs HNSW by corpus size, measured."""
