# Stage 3: ADaM -> analysis results (ARD), one statistic a row: efficacy, Kaplan–Meier curves,
# concordance, safety and baseline, plus the CDISC ARS reporting event; one job per analysis.


rule ard:
    input:
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        adrs="results/{trial}/{cutoff}/adam/adrs.parquet",
        adtte="results/{trial}/{cutoff}/adam/adtte.parquet",
        adae="results/{trial}/{cutoff}/adam/adae.parquet",
        adex="results/{trial}/{cutoff}/adam/adex.parquet",
        visit_responses="results/{trial}/{cutoff}/adam/visit_responses.parquet",
        ovr_reported="results/{trial}/{cutoff}/adam/ovr_reported.parquet",
        bor_sources="results/{trial}/{cutoff}/adam/bor_sources.parquet",
        spec=adam_specs(),
        schema=ARS_SCHEMA,
    output:
        tables=expand("results/{{trial}}/{{cutoff}}/ard/{name}.csv", name=ARD),
        ars="results/{trial}/{cutoff}/ard/ars.json",
    log:
        "logs/{trial}/{cutoff}/ard.log",
    benchmark:
        "logs/{trial}/{cutoff}/ard.benchmark.tsv"
    priority: 1
    conda:
        ENV
    params:
        title=lambda w: TRIALS[w.trial]["title"],
        trial=lambda w: trial_options(
            w.trial,
            "response",
            "rates",
            "survival",
            "design",
            "subgroups",
            "baseline",
            "safety",
        ),
    script:
        "../scripts/ard.py"
