# Stage 4: the figures of each analysis (PNG and SVG), drawn from its ARD, curve and ADaM files;
# one job per analysis.


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
        subgroups=directory(f"results/{{trial}}/{{cutoff}}/figures/{SUBGROUP_FOLDER}"),
    log:
        "logs/{trial}/{cutoff}/figures.log",
    benchmark:
        "logs/{trial}/{cutoff}/figures.benchmark.tsv"
    priority: 1
    conda:
        ENV
    params:
        trial=lambda w: trial_options(
            w.trial, "survival", "design", "subgroups", "baseline"
        ),
    script:
        "../scripts/figures.py"
