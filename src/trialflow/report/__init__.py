"""Stage 5, `workflow/rules/report.smk`: display helpers for the report notebooks. Reads ARD and
curve files; computes nothing clinical."""
