"""results/index.html: every trial and cutoff with its key results and design decision; and
results/manifest.json: the sha256 of the index and of each trial's manifest.

Library: trialflow.report.index.index_html, trialflow.audit.manifest.results_manifest.
"""

from pathlib import Path

from trialflow.audit import manifest as mf
from trialflow.io import read_csv_text
from trialflow.report.index import IndexEntry, index_html
from trialflow.scripting import run_script


def main(smk):
    entries = [
        IndexEntry(
            trial_id=a["trial"],
            title=a["title"],
            cutoff=a["cutoff"],
            efficacy=read_csv_text(path),
            confirmation_required=a["confirmation_required"],
            report_href=a["report"],
        )
        for a, path in zip(smk.params.analyses, smk.input.efficacy, strict=True)
    ]
    html = index_html(entries, trial_pages=smk.params.trial_pages)
    Path(smk.output.index).write_text(html, encoding="utf-8")

    folder = Path(smk.output.manifest).parent
    trials = mf.hash_files(smk.input.manifests, relative_to=folder)
    outputs = mf.hash_files([smk.output.index], relative_to=folder)
    Path(smk.output.manifest).write_text(
        mf.dumps(mf.results_manifest(trials, outputs)), encoding="utf-8"
    )


run_script(main, snakemake)
