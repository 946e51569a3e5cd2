"""Stage 4, `workflow/rules/report.smk`: display helpers for the report notebooks, the notebook
executor, the HTML, RTF and index renderers. Reads ARD and curve files; computes nothing
clinical. The stage's jobs draw with `trialflow.figures` and seal each analysis with
`trialflow.audit`."""
