# Stage 1: raw SDTM delivery -> cleaned domains, data issues and the ingest summary.


rule ingest:
    input:
        raw=raw_files,
        specs=SDTM_SPECS,
    output:
        sdtm=expand(
            "results/{{trial}}/{{cutoff}}/sdtm/{domain}.parquet", domain=DOMAINS
        ),
        issues="results/{trial}/{cutoff}/issues/ingest.csv",
        summary="results/{trial}/{cutoff}/ingest_summary.csv",
    log:
        "logs/{trial}/{cutoff}/ingest.log",
    benchmark:
        "logs/{trial}/{cutoff}/ingest.benchmark.tsv"
    priority: 1
    conda:
        ENV
    params:
        trial=lambda w: w.trial,
        cutoff=lambda w: w.cutoff,
        raw_dir=lambda w: delivery(w)["raw"],
        studyid=lambda w: TRIALS[w.trial]["studyid"],
    script:
        "../scripts/ingest.py"


rule delivery_changes:
    input:
        previous=expand("results/{{trial}}/{{before}}/sdtm/{d}.parquet", d=DOMAINS),
        current=expand("results/{{trial}}/{{after}}/sdtm/{d}.parquet", d=DOMAINS),
    output:
        summary="results/{trial}/changes/{before}_{after}/summary.csv",
        records="results/{trial}/changes/{before}_{after}/records.csv",
        subjects="results/{trial}/changes/{before}_{after}/subjects.csv",
    log:
        "logs/{trial}/delivery_changes_{before}_{after}.log",
    benchmark:
        "logs/{trial}/delivery_changes_{before}_{after}.benchmark.tsv"
    conda:
        ENV
    script:
        "../scripts/delivery_changes.py"
