# Stage 5: reports. Per analysis, the parameterized notebook notebooks/trial_report.ipynb runs in
# the job's own process (papermill's parameter convention; trialflow.report.execute), is
# stripped of run metadata and rendered to one self-contained HTML file (offline template in
# notebooks/templates/trialflow); the same job writes the study-report RTF tables and figures.
# Per trial, notebooks/cutoff_report.ipynb compares the cutoffs; results/index.html lists every
# trial and cutoff.


rule report:
    input:
        notebook=str(NOTEBOOKS / "trial_report.ipynb"),
        template=REPORT_TEMPLATE_FILES,
        provenance="results/{trial}/{cutoff}/provenance.json",
        ard=expand("results/{{trial}}/{{cutoff}}/ard/{name}.csv", name=REPORT_ARD),
        efficacy="results/{trial}/{cutoff}/ard/efficacy.csv",
        safety="results/{trial}/{cutoff}/ard/safety.csv",
        baseline="results/{trial}/{cutoff}/ard/baseline.csv",
        issues="results/{trial}/{cutoff}/data_issues.csv",
        summary="results/{trial}/{cutoff}/ingest_summary.csv",
        conformance="results/{trial}/{cutoff}/conformance.csv",
        figures=expand("results/{{trial}}/{{cutoff}}/figures/{name}.png", name=FIGURES),
        subgroup_figures=f"results/{{trial}}/{{cutoff}}/figures/{SUBGROUP_FOLDER}",
        tlf_figures=expand(
            "results/{{trial}}/{{cutoff}}/figures/{name}.png", name=TLF_FIGURES
        ),
    output:
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
    log:
        "logs/{trial}/{cutoff}/report.log",
    benchmark:
        "logs/{trial}/{cutoff}/report.benchmark.tsv"
    priority: 1
    conda:
        ENV
    params:
        values=trial_report_values,
        templates=lambda w, input: str(Path(input.template[0]).parent.parent),
        studyid=lambda w: TRIALS[w.trial]["studyid"],
    script:
        "../scripts/report.py"


rule comparison:
    input:
        notebook=str(NOTEBOOKS / "cutoff_report.ipynb"),
        template=REPORT_TEMPLATE_FILES,
        provenance=lambda w: per_cutoff(w.trial, "provenance.json"),
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
    priority: 1
    conda:
        ENV
    params:
        cutoffs=lambda w: trial_cutoffs(w.trial),
        values=cutoff_report_values,
        templates=lambda w, input: str(Path(input.template[0]).parent.parent),
    script:
        "../scripts/comparison.py"


rule index:
    input:
        efficacy=per_analysis("results/{trial}/{cutoff}/ard/efficacy.csv"),
        reports=per_analysis("results/{trial}/{cutoff}/report/{trial}_{cutoff}.html"),
        comparisons=[f"results/{t}/cutoffs.html" for t in TRIALS],
    output:
        "results/index.html",
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
