"""results/index.html: every trial and cutoff with its key results and design decision.

Library: trialflow.report.index.index_html.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

from pathlib import Path

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
    Path(smk.output[0]).write_text(html, encoding="utf-8")


run_script(main, snakemake)
