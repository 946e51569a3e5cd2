# Stage 4: figures of each analysis, PNG and SVG.


rule figures:
    input:
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        adrs="results/{trial}/{cutoff}/adam/adrs.parquet",
        adtr="results/{trial}/{cutoff}/adam/adtr.parquet",
        visits="results/{trial}/{cutoff}/adam/visit_responses.parquet",
        curves="results/{trial}/{cutoff}/ard/km_curves.csv",
        efficacy="results/{trial}/{cutoff}/ard/efficacy.csv",
    output:
        png=expand("results/{{trial}}/{{cutoff}}/figures/{name}.png", name=FIGURES),
        svg=expand("results/{{trial}}/{{cutoff}}/figures/{name}.svg", name=FIGURES),
    log:
        "logs/{trial}/{cutoff}/figures.log",
    benchmark:
        "logs/{trial}/{cutoff}/figures.benchmark.tsv"
    conda:
        ENV
    params:
        options=lambda w: trial_options(w.trial, "survival", "design"),
    script:
        "../scripts/figures.py"


rule figure_km_subgroup:
    input:
        curves="results/{trial}/{cutoff}/ard/km_curves.csv",
        efficacy="results/{trial}/{cutoff}/ard/efficacy.csv",
    output:
        png="results/{trial}/{cutoff}/figures/km_pfs_by_{var}.png",
        svg="results/{trial}/{cutoff}/figures/km_pfs_by_{var}.svg",
    log:
        "logs/{trial}/{cutoff}/figure_km_pfs_by_{var}.log",
    benchmark:
        "logs/{trial}/{cutoff}/figure_km_pfs_by_{var}.benchmark.tsv"
    conda:
        ENV
    params:
        var=lambda w: subgroup_variable(w),
        options=lambda w: trial_options(w.trial, "survival"),
    script:
        "../scripts/figure_km_subgroup.py"


rule figures_by_cutoff:
    input:
        curves=lambda w: per_cutoff(w.trial, "ard/km_curves.csv"),
        efficacy=lambda w: per_cutoff(w.trial, "ard/efficacy.csv"),
    output:
        png=expand("results/{{trial}}/figures/{name}.png", name=CUTOFF_FIGURES),
        svg=expand("results/{{trial}}/figures/{name}.svg", name=CUTOFF_FIGURES),
    log:
        "logs/{trial}/figures_by_cutoff.log",
    benchmark:
        "logs/{trial}/figures_by_cutoff.benchmark.tsv"
    conda:
        ENV
    params:
        cutoffs=lambda w: trial_cutoffs(w.trial),
        options=lambda w: trial_options(w.trial, "survival"),
    script:
        "../scripts/figures_by_cutoff.py"
