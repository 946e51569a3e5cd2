# Stage 5: reports. Per trial and cutoff, the parameterized notebook notebooks/trial_report.ipynb
# is executed by papermill (kernel "trialflow", parameters from a YAML file), stripped of run
# metadata and rendered to one self-contained HTML file by nbconvert (offline template in
# notebooks/templates/trialflow). Per trial, notebooks/cutoff_report.ipynb compares the cutoffs.


rule report_params:
    input:
        provenance="results/{trial}/{cutoff}/provenance.json",
    output:
        "results/{trial}/{cutoff}/report/params.yaml",
    log:
        "logs/{trial}/{cutoff}/report_params.log",
    benchmark:
        "logs/{trial}/{cutoff}/report_params.benchmark.tsv"
    conda:
        ENV
    params:
        values=trial_report_values,
    script:
        "../scripts/report_params.py"


rule trial_report_notebook:
    input:
        notebook=str(NOTEBOOKS / "trial_report.ipynb"),
        strip=STRIP_NOTEBOOK,
        params="results/{trial}/{cutoff}/report/params.yaml",
        ard=expand("results/{{trial}}/{{cutoff}}/ard/{name}.csv", name=REPORT_ARD),
        conformance="results/{trial}/{cutoff}/conformance.csv",
        issues="results/{trial}/{cutoff}/data_issues.csv",
        summary="results/{trial}/{cutoff}/ingest_summary.csv",
        figures=lambda w: analysis_figures(w.trial, w.cutoff, "png"),
    output:
        "results/{trial}/{cutoff}/report/{trial}_{cutoff}.ipynb",
    log:
        "logs/{trial}/{cutoff}/trial_report_notebook.log",
    benchmark:
        "logs/{trial}/{cutoff}/trial_report_notebook.benchmark.tsv"
    conda:
        ENV
    shell:
        "tmp=$(mktemp -d) && trap 'rm -rf \"$tmp\"' EXIT && "
        'papermill {input.notebook:q} "$tmp/executed.ipynb" -f {input.params:q} '
        "-k trialflow --cwd . --no-progress-bar --log-output > {log:q} 2>&1 && "
        'python {input.strip:q} "$tmp/executed.ipynb" {output:q} >> {log:q} 2>&1'


rule trial_report_html:
    input:
        notebook="results/{trial}/{cutoff}/report/{trial}_{cutoff}.ipynb",
        template=REPORT_TEMPLATE_FILES,
    output:
        report(
            "results/{trial}/{cutoff}/report/{trial}_{cutoff}.html",
            caption="../report/trial_report.rst",
            category="{trial}",
            subcategory="Trial reports",
            labels={"trial": "{trial}", "cutoff": "{cutoff}"},
        ),
    log:
        "logs/{trial}/{cutoff}/trial_report_html.log",
    benchmark:
        "logs/{trial}/{cutoff}/trial_report_html.benchmark.tsv"
    conda:
        ENV
    params:
        outdir=lambda w, output: str(Path(output[0]).parent),
        templates=lambda w, input: str(Path(input.template[0]).parent.parent),
        name=lambda w: f"{w.trial}_{w.cutoff}",
    shell:
        "jupyter nbconvert --to html --no-input --no-prompt --template trialflow "
        "--TemplateExporter.extra_template_basedirs={params.templates:q} "
        "--output-dir {params.outdir:q} --output {params.name:q} {input.notebook:q} "
        "> {log:q} 2>&1"


rule cutoff_report_params:
    input:
        provenance=cutoff_report_provenance,
    output:
        "results/{trial}/cutoffs_params.yaml",
    log:
        "logs/{trial}/cutoff_report_params.log",
    benchmark:
        "logs/{trial}/cutoff_report_params.benchmark.tsv"
    conda:
        ENV
    params:
        values=cutoff_report_values,
    script:
        "../scripts/report_params.py"


rule cutoff_report_notebook:
    input:
        notebook=str(NOTEBOOKS / "cutoff_report.ipynb"),
        strip=STRIP_NOTEBOOK,
        params="results/{trial}/cutoffs_params.yaml",
        data=cutoff_report_inputs,
    output:
        "results/{trial}/cutoffs.ipynb",
    log:
        "logs/{trial}/cutoff_report_notebook.log",
    benchmark:
        "logs/{trial}/cutoff_report_notebook.benchmark.tsv"
    conda:
        ENV
    shell:
        "tmp=$(mktemp -d) && trap 'rm -rf \"$tmp\"' EXIT && "
        'papermill {input.notebook:q} "$tmp/executed.ipynb" -f {input.params:q} '
        "-k trialflow --cwd . --no-progress-bar --log-output > {log:q} 2>&1 && "
        'python {input.strip:q} "$tmp/executed.ipynb" {output:q} >> {log:q} 2>&1'


rule cutoff_report_html:
    input:
        notebook="results/{trial}/cutoffs.ipynb",
        template=REPORT_TEMPLATE_FILES,
    output:
        report(
            "results/{trial}/cutoffs.html",
            caption="../report/cutoff_report.rst",
            category="{trial}",
            subcategory="Cutoff comparison",
            labels={"trial": "{trial}", "cutoff": "all cutoffs"},
        ),
    log:
        "logs/{trial}/cutoff_report_html.log",
    benchmark:
        "logs/{trial}/cutoff_report_html.benchmark.tsv"
    conda:
        ENV
    params:
        outdir=lambda w, output: str(Path(output[0]).parent),
        templates=lambda w, input: str(Path(input.template[0]).parent.parent),
    shell:
        "jupyter nbconvert --to html --no-input --no-prompt --template trialflow "
        "--TemplateExporter.extra_template_basedirs={params.templates:q} "
        "--output-dir {params.outdir:q} --output cutoffs {input.notebook:q} "
        "> {log:q} 2>&1"


rule tlf:
    input:
        efficacy="results/{trial}/{cutoff}/ard/efficacy.csv",
        safety="results/{trial}/{cutoff}/ard/safety.csv",
        baseline="results/{trial}/{cutoff}/ard/baseline.csv",
        figures=expand(
            "results/{{trial}}/{{cutoff}}/figures/{name}.png", name=TLF_FIGURES
        ),
    output:
        expand("results/{{trial}}/{{cutoff}}/tlf/{stem}.rtf", stem=TLF_STEMS),
    log:
        "logs/{trial}/{cutoff}/tlf.log",
    benchmark:
        "logs/{trial}/{cutoff}/tlf.benchmark.tsv"
    conda:
        ENV
    params:
        studyid=lambda w: TRIALS[w.trial]["studyid"],
    script:
        "../scripts/tlf.py"
