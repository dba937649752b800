"""Stage ``track`` (workflow/rules/track.smk): runs, metrics and reports -> MLflow."""
