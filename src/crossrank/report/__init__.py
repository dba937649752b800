"""Stage ``report`` (workflow/rules/report.smk): the paper's tables and figures, from metrics and analyses."""
