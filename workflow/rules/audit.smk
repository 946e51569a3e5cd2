# Stage 6: provenance (shown in the report) and the manifest of every analysis.


rule provenance:
    input:
        raw=raw_files,
        lock=LOCK_FILE,
    output:
        "results/{trial}/{cutoff}/provenance.json",
    log:
        "logs/{trial}/{cutoff}/provenance.log",
    benchmark:
        "logs/{trial}/{cutoff}/provenance.benchmark.tsv"
    conda:
        ENV
    params:
        options=lambda w: analysis_options(w),
        # hashed when the job runs, but not an input: editing the trial file to add a
        # delivery must not re-run earlier analyses
        trial_file=trial_file,
        code_dir=lambda w, input: str(Path(input.lock).parent),
    script:
        "../scripts/provenance.py"


rule manifest:
    input:
        provenance="results/{trial}/{cutoff}/provenance.json",
        outputs=lambda w: analysis_output_files(w.trial, w.cutoff),
    output:
        "results/{trial}/{cutoff}/manifest.json",
    log:
        "logs/{trial}/{cutoff}/manifest.log",
    benchmark:
        "logs/{trial}/{cutoff}/manifest.benchmark.tsv"
    conda:
        ENV
    script:
        "../scripts/manifest.py"


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


rule results_manifest:
    input:
        trials=[f"results/{t}/manifest.json" for t in TRIALS],
        index="results/index.html",
    output:
        "results/manifest.json",
    log:
        "logs/results_manifest.log",
    benchmark:
        "logs/results_manifest.benchmark.tsv"
    conda:
        ENV
    script:
        "../scripts/results_manifest.py"
