"""Stage 2, `workflow/rules/adam.smk`: cleaned SDTM -> ADaM datasets (ADSL, ADTR, ADRS, ADTTE,
ADAE, ADEX)."""
