"""Stage ``evaluate`` (workflow/rules/evaluate.smk): runs -> per-pair metrics -> results/metrics.csv."""
