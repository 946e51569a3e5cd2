"""Stage 6, `workflow/rules/audit.smk`: provenance, manifests, verify and reproduce."""
