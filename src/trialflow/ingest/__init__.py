"""Stage 1, `workflow/rules/ingest.smk`: raw SDTM deliveries -> cleaned SDTM and the data-issues log."""
