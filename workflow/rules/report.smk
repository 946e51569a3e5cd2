# Stage 4: figures, reports and their audit trail (trialflow.report, drawing with
# trialflow.figures and sealing with trialflow.audit). Per analysis, one job draws every figure,
# writes the provenance record, runs the parameterized notebook notebooks/trial_report.ipynb in
# its own process (papermill's parameter convention; trialflow.report.execute), strips it of
# run metadata and renders it to one self-contained HTML file (offline template in
# notebooks/templates/trialflow), writes the study-report RTF tables and figures, and last the
# analysis's manifest. Per trial, notebooks/cutoff_report.ipynb compares the cutoffs (with the
# trial's manifest); results/index.html lists every trial and cutoff (with the manifest of all
# results).


rule report:
    input:
        notebook=str(NOTEBOOKS / "trial_report.ipynb"),
        template=REPORT_TEMPLATE_FILES,
        raw=raw_files,
        lock=LOCK_FILE,
        analysis=lambda w: analysis_input_files(w.trial, w.cutoff),
        ard=expand("results/{{trial}}/{{cutoff}}/ard/{name}.csv", name=REPORT_ARD),
        efficacy="results/{trial}/{cutoff}/ard/efficacy.csv",
        safety="results/{trial}/{cutoff}/ard/safety.csv",
        baseline="results/{trial}/{cutoff}/ard/baseline.csv",
        issues="results/{trial}/{cutoff}/data_issues.csv",
        summary="results/{trial}/{cutoff}/ingest_summary.csv",
        conformance="results/{trial}/{cutoff}/conformance.csv",
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        adrs="results/{trial}/{cutoff}/adam/adrs.parquet",
        adtr="results/{trial}/{cutoff}/adam/adtr.parquet",
        visits="results/{trial}/{cutoff}/adam/visit_responses.parquet",
        curves="results/{trial}/{cutoff}/ard/km_curves.csv",
    output:
        png=expand("results/{{trial}}/{{cutoff}}/figures/{name}.png", name=FIGURES),
        svg=expand("results/{{trial}}/{{cutoff}}/figures/{name}.svg", name=FIGURES),
        subgroups=directory(f"results/{{trial}}/{{cutoff}}/figures/{SUBGROUP_FOLDER}"),
        provenance="results/{trial}/{cutoff}/provenance.json",
        params="results/{trial}/{cutoff}/report/params.yaml",
        notebook="results/{trial}/{cutoff}/report/{trial}_{cutoff}.ipynb",
        html=report(
            "results/{trial}/{cutoff}/report/{trial}_{cutoff}.html",
            caption="../report/trial_report.rst",
            category="{trial}",
            subcategory="Trial reports",
            labels={"trial": "{trial}", "cutoff": "{cutoff}"},
        ),
        tlf=expand("results/{{trial}}/{{cutoff}}/tlf/{stem}.rtf", stem=TLF_STEMS),
        manifest="results/{trial}/{cutoff}/manifest.json",
    log:
        "logs/{trial}/{cutoff}/report.log",
    benchmark:
        "logs/{trial}/{cutoff}/report.benchmark.tsv"
    conda:
        ENV
    params:
        values=trial_report_values,
        templates=lambda w, input: str(Path(input.template[0]).parent.parent),
        studyid=lambda w: TRIALS[w.trial]["studyid"],
        tlf_figures=TLF_FIGURES,
        options=lambda w: analysis_options(w),
        # hashed when the job runs, but not an input: editing the trial file to add a
        # delivery must not re-run earlier analyses
        trial_file=trial_file,
        code_dir=lambda w, input: str(Path(input.lock).parent),
        outputs=lambda w: analysis_output_files(w.trial, w.cutoff),
    script:
        "../scripts/report.py"


rule comparison:
    input:
        notebook=str(NOTEBOOKS / "cutoff_report.ipynb"),
        template=REPORT_TEMPLATE_FILES,
        raw=lambda w: trial_raw_files(w.trial),
        lock=LOCK_FILE,
        curves=lambda w: per_cutoff(w.trial, "ard/km_curves.csv"),
        efficacy=lambda w: per_cutoff(w.trial, "ard/efficacy.csv"),
        safety=lambda w: per_cutoff(w.trial, "ard/safety.csv"),
        changes=lambda w: delivery_change_files(w.trial),
    output:
        png=expand("results/{{trial}}/figures/{name}.png", name=CUTOFF_FIGURES),
        svg=expand("results/{{trial}}/figures/{name}.svg", name=CUTOFF_FIGURES),
        params="results/{trial}/cutoffs_params.yaml",
        notebook="results/{trial}/cutoffs.ipynb",
        html=report(
            "results/{trial}/cutoffs.html",
            caption="../report/cutoff_report.rst",
            category="{trial}",
            subcategory="Cutoff comparison",
            labels={"trial": "{trial}", "cutoff": "all cutoffs"},
        ),
    log:
        "logs/{trial}/comparison.log",
    benchmark:
        "logs/{trial}/comparison.benchmark.tsv"
    conda:
        ENV
    params:
        cutoffs=lambda w: trial_cutoffs(w.trial),
        values=cutoff_report_values,
        templates=lambda w, input: str(Path(input.template[0]).parent.parent),
        trial_file=trial_file,
        code_dir=lambda w, input: str(Path(input.lock).parent),
    script:
        "../scripts/comparison.py"


rule trial_manifest:
    input:
        analyses=lambda w: per_cutoff(w.trial, "manifest.json"),
        outputs=lambda w: trial_output_files(w.trial),
    output:
        "results/{trial}/manifest.json",
    log:
        "logs/{trial}/trial_manifest.log",
    benchmark:
        "logs/{trial}/trial_manifest.benchmark.tsv"
    conda:
        ENV
    params:
        cutoffs=lambda w: trial_cutoffs(w.trial),
    script:
        "../scripts/trial_manifest.py"


rule index:
    input:
        efficacy=per_analysis("results/{trial}/{cutoff}/ard/efficacy.csv"),
        reports=per_analysis("results/{trial}/{cutoff}/report/{trial}_{cutoff}.html"),
        comparisons=[f"results/{t}/cutoffs.html" for t in TRIALS],
        manifests=[f"results/{t}/manifest.json" for t in TRIALS],
    output:
        index="results/index.html",
        manifest="results/manifest.json",
    log:
        "logs/index.log",
    benchmark:
        "logs/index.benchmark.tsv"
    conda:
        ENV
    params:
        analyses=index_analyses(),
        trial_pages={t: f"{t}/cutoffs.html" for t in TRIALS},
    script:
        "../scripts/index.py"
