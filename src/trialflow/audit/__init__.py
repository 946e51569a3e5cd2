"""Provenance, manifests, verify and reproduce: the audit trail that the jobs of
`workflow/rules/report.smk` write last, and the `trialflow verify` / `reproduce` commands."""
