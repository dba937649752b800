"""Stage ``translate`` (workflow/rules/translate.smk): original documents -> English documents, the
translated condition: the oracle, copy and NLLB-200 backends, NLLB pieces, batches and cache, and quality."""
