# Stage 2: cleaned SDTM -> ADaM (ADSL, ADRS, ADTR, ADTTE, ADAE, ADEX) with their response
# tables, the data-issues log and the ADaM conformance checks: one job per analysis (one Python
# process for the whole stage). Every clinical option the stage uses reaches it as a param, so
# changing one in the trial file re-runs the stage. A second job writes the submission files
# (XPT, Define-XML 2.1) while the analyses go on.


rule adam:
    input:
        spec=adam_specs(),
        sdtm=sdtm_inputs(*DOMAINS),
        ingest_issues="results/{trial}/{cutoff}/issues/ingest.csv",
    output:
        datasets=expand("results/{{trial}}/{{cutoff}}/adam/{name}.parquet", name=ADAM),
        tables=expand(
            "results/{{trial}}/{{cutoff}}/adam/{name}.parquet", name=RESPONSE_TABLES
        ),
        issues=expand(
            "results/{{trial}}/{{cutoff}}/issues/{stage}.csv", stage=ADAM_ISSUE_STAGES
        ),
        data_issues="results/{trial}/{cutoff}/data_issues.csv",
        conformance="results/{trial}/{cutoff}/conformance.csv",
    log:
        "logs/{trial}/{cutoff}/adam.log",
    benchmark:
        "logs/{trial}/{cutoff}/adam.benchmark.tsv"
    priority: 1
    conda:
        ENV
    params:
        cutoff=lambda w: w.cutoff,
        studyid=lambda w: TRIALS[w.trial]["studyid"],
        trial=lambda w: trial_options(
            w.trial,
            "reference_start",
            "baseline",
            "response",
            "assessment_interval_days",
            "pfs",
            "safety",
            "drug",
        ),
    script:
        "../scripts/adam.py"


rule submission:
    input:
        spec=adam_specs(),
        datasets=expand("results/{{trial}}/{{cutoff}}/adam/{name}.parquet", name=ADAM),
    output:
        xpt=expand("results/{{trial}}/{{cutoff}}/adam/{name}.xpt", name=ADAM),
        define="results/{trial}/{cutoff}/adam/define.xml",
        define_html="results/{trial}/{cutoff}/adam/define.html",
    log:
        "logs/{trial}/{cutoff}/submission.log",
    benchmark:
        "logs/{trial}/{cutoff}/submission.benchmark.tsv"
    conda:
        ENV
    params:
        cutoff=lambda w: w.cutoff,
        studyid=lambda w: TRIALS[w.trial]["studyid"],
        title=lambda w: TRIALS[w.trial]["title"],
        protocol=lambda w: TRIALS[w.trial].get("registry_id")
        or TRIALS[w.trial]["studyid"],
    script:
        "../scripts/submission.py"
