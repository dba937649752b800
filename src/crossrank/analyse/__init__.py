"""Stage ``analyse`` (workflow/rules/analyse.smk): what the runs say beyond their scores, e.g. document-language bias."""
