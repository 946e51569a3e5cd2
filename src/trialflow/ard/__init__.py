"""Stage 3, `workflow/rules/ard.smk`: ADaM -> analysis results data (ARD), one statistic a row."""
