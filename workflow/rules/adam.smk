# Stage 2: cleaned SDTM -> ADaM analysis datasets (ADSL, ADTR, ADRS, ADTTE, ADAE, ADEX).
# Every clinical option reaches its script as a param, so changing it in the trial file
# re-runs the affected jobs.


rule adsl:
    input:
        spec=adam_spec("adsl"),
        sdtm=sdtm_inputs("dm", "suppdm", "ex", "ds", "tu", "tr", "rs", "cm"),
    output:
        parquet="results/{trial}/{cutoff}/adam/adsl.parquet",
        xpt="results/{trial}/{cutoff}/adam/adsl.xpt",
        issues="results/{trial}/{cutoff}/issues/adsl.csv",
    log:
        "logs/{trial}/{cutoff}/adsl.log",
    benchmark:
        "logs/{trial}/{cutoff}/adsl.benchmark.tsv"
    conda:
        ENV
    params:
        cutoff=lambda w: w.cutoff,
        studyid=lambda w: TRIALS[w.trial]["studyid"],
        trial=lambda w: trial_options(
            w.trial, "response", "reference_start", "baseline"
        ),
    script:
        "../scripts/adsl.py"


rule adtr:
    input:
        spec=adam_spec("adtr"),
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        adrs="results/{trial}/{cutoff}/adam/adrs.parquet",
        sdtm=sdtm_inputs("tu", "tr", "rs"),
    output:
        parquet="results/{trial}/{cutoff}/adam/adtr.parquet",
        xpt="results/{trial}/{cutoff}/adam/adtr.xpt",
    log:
        "logs/{trial}/{cutoff}/adtr.log",
    benchmark:
        "logs/{trial}/{cutoff}/adtr.benchmark.tsv"
    conda:
        ENV
    params:
        trial=lambda w: trial_options(w.trial, "response"),
    script:
        "../scripts/adtr.py"


rule adrs:
    input:
        spec=adam_spec("adrs"),
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        sdtm=sdtm_inputs("tu", "tr", "rs"),
    output:
        parquet="results/{trial}/{cutoff}/adam/adrs.parquet",
        xpt="results/{trial}/{cutoff}/adam/adrs.xpt",
        visits="results/{trial}/{cutoff}/adam/visit_responses.parquet",
        ovr="results/{trial}/{cutoff}/adam/ovr_source.parquet",
        reported="results/{trial}/{cutoff}/adam/ovr_reported.parquet",
        best="results/{trial}/{cutoff}/adam/bor_sources.parquet",
        issues="results/{trial}/{cutoff}/issues/adrs.csv",
    log:
        "logs/{trial}/{cutoff}/adrs.log",
    benchmark:
        "logs/{trial}/{cutoff}/adrs.benchmark.tsv"
    conda:
        ENV
    params:
        trial=lambda w: trial_options(w.trial, "response"),
    script:
        "../scripts/adrs.py"


rule adtte:
    input:
        spec=adam_spec("adtte"),
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        adrs="results/{trial}/{cutoff}/adam/adrs.parquet",
        ovr="results/{trial}/{cutoff}/adam/ovr_source.parquet",
    output:
        parquet="results/{trial}/{cutoff}/adam/adtte.parquet",
        xpt="results/{trial}/{cutoff}/adam/adtte.xpt",
        issues="results/{trial}/{cutoff}/issues/adtte.csv",
    log:
        "logs/{trial}/{cutoff}/adtte.log",
    benchmark:
        "logs/{trial}/{cutoff}/adtte.benchmark.tsv"
    conda:
        ENV
    params:
        cutoff=lambda w: w.cutoff,
        assessment_interval_days=lambda w: TRIALS[w.trial]["assessment_interval_days"],
        pfs=lambda w: TRIALS[w.trial]["pfs"],
        response=lambda w: TRIALS[w.trial]["response"],
    script:
        "../scripts/adtte.py"


rule adae:
    input:
        spec=adam_spec("adae"),
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        ae="results/{trial}/{cutoff}/sdtm/ae.parquet",
    output:
        parquet="results/{trial}/{cutoff}/adam/adae.parquet",
        xpt="results/{trial}/{cutoff}/adam/adae.xpt",
        issues="results/{trial}/{cutoff}/issues/adae.csv",
    log:
        "logs/{trial}/{cutoff}/adae.log",
    benchmark:
        "logs/{trial}/{cutoff}/adae.benchmark.tsv"
    conda:
        ENV
    params:
        cutoff=lambda w: w.cutoff,
        trial=lambda w: trial_options(w.trial, "safety"),
    script:
        "../scripts/adae.py"


rule adex:
    input:
        spec=adam_spec("adex"),
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        adae="results/{trial}/{cutoff}/adam/adae.parquet",
        ex="results/{trial}/{cutoff}/sdtm/ex.parquet",
    output:
        parquet="results/{trial}/{cutoff}/adam/adex.parquet",
        xpt="results/{trial}/{cutoff}/adam/adex.xpt",
        issues="results/{trial}/{cutoff}/issues/adex.csv",
    log:
        "logs/{trial}/{cutoff}/adex.log",
    benchmark:
        "logs/{trial}/{cutoff}/adex.benchmark.tsv"
    conda:
        ENV
    params:
        cutoff=lambda w: w.cutoff,
        drug=lambda w: TRIALS[w.trial]["drug"],
    script:
        "../scripts/adex.py"


rule define:
    input:
        spec=adam_specs(),
        xpt=expand("results/{{trial}}/{{cutoff}}/adam/{name}.xpt", name=ADAM),
    output:
        xml="results/{trial}/{cutoff}/adam/define.xml",
        html="results/{trial}/{cutoff}/adam/define.html",
    log:
        "logs/{trial}/{cutoff}/define.log",
    benchmark:
        "logs/{trial}/{cutoff}/define.benchmark.tsv"
    conda:
        ENV
    params:
        cutoff=lambda w: w.cutoff,
        studyid=lambda w: TRIALS[w.trial]["studyid"],
        title=lambda w: TRIALS[w.trial]["title"],
        protocol=lambda w: TRIALS[w.trial].get("registry_id")
        or TRIALS[w.trial]["studyid"],
    script:
        "../scripts/define.py"


rule conformance:
    input:
        spec=adam_specs(),
        parquet=expand("results/{{trial}}/{{cutoff}}/adam/{name}.parquet", name=ADAM),
        xpt=expand("results/{{trial}}/{{cutoff}}/adam/{name}.xpt", name=ADAM),
    output:
        "results/{trial}/{cutoff}/conformance.csv",
    log:
        "logs/{trial}/{cutoff}/conformance.log",
    benchmark:
        "logs/{trial}/{cutoff}/conformance.benchmark.tsv"
    conda:
        ENV
    params:
        cutoff=lambda w: w.cutoff,
    script:
        "../scripts/conformance.py"
