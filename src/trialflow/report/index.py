"""The portfolio index, `results/index.html`: every trial and cutoff with its key results and
design decision, linking to the reports. A self-contained page (inline style, no script, no
external resource), deterministic for the same inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from trialflow.ard_table import ard_stats
from trialflow.report.efficacy import design_sentence, median_text, orr_parameter, rate_text
from trialflow.report.html import escape

_STYLE = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 1em 2em; }
h1 { border-bottom: 2px solid #0072B2; padding-bottom: 0.2em; font-weight: normal; }
h2 { margin-top: 1.6em; font-size: 1.25em; color: #0b3d5c; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 0.35em 0.6em;
         border-bottom: 1px solid #ddd; }
th { border-bottom: 2px solid #999; }
tr:nth-child(even) td { background: #f6f6f6; }
td:first-child { white-space: nowrap; }
.tf-small { color: #555; font-size: 85%; }
a { color: #0b5d8c; }
"""


@dataclass(frozen=True)
class IndexEntry:
    """One analysis on the index page."""

    trial_id: str
    title: str
    cutoff: str
    efficacy: pd.DataFrame
    confirmation_required: bool
    report_href: str


def entry_cells(entry: IndexEntry) -> dict[str, str]:
    """The key results of one analysis, as text read from its efficacy ARD."""
    e = entry.efficacy
    orr_p = orr_parameter(e, confirmation_required=entry.confirmation_required)
    pfs = ard_stats(e, analysis="km", parameter="PFS")
    os_ = ard_stats(e, analysis="km", parameter="OS")
    return {
        "Cutoff": entry.cutoff,
        "Subjects": pfs.get("n", "") or "0",
        "Objective response rate": rate_text(ard_stats(e, analysis="orr", parameter=orr_p)),
        "Median PFS": median_text(pfs),
        "Median OS": median_text(os_),
        "Design decision": design_sentence(e),
    }


def index_html(entries: Iterable[IndexEntry], *, trial_pages: dict[str, str]) -> str:
    """The index page: one section per trial (in the order given), one row per cutoff.

    `trial_pages` maps a trial id to the link of its cutoff comparison.
    """
    by_trial: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        by_trial.setdefault(entry.trial_id, []).append(entry)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>trialflow: trials and data cutoffs</title>",
        f"<style>{_STYLE}</style></head><body><main>",
        "<h1>Trials and data cutoffs</h1>",
        '<p class="tf-small">Every trial and data cutoff of this run, with its key results and '
        "design decision as the efficacy analysis results state them (NE: not estimable). "
        "Each cutoff links to its report.</p>",
    ]
    columns = ["Cutoff", "Subjects", "Objective response rate", "Median PFS", "Median OS"]
    columns += ["Design decision"]
    for trial_id, rows in by_trial.items():
        title = rows[0].title
        parts.append(f'<h2 id="trial-{escape(trial_id)}">{escape(title)} ({escape(trial_id)})</h2>')
        if trial_id in trial_pages:
            href = escape(trial_pages[trial_id])
            parts.append(f'<p><a href="{href}">Comparison of data cutoffs</a></p>')
        parts.append("<table><thead><tr>")
        parts += [f"<th>{escape(c)}</th>" for c in columns]
        parts.append("</tr></thead><tbody>")
        for entry in rows:
            cells = entry_cells(entry)
            link = f'<a href="{escape(entry.report_href)}">{escape(cells["Cutoff"])}</a>'
            parts.append("<tr>" + f"<td>{link}</td>")
            parts += [f"<td>{escape(cells[c])}</td>" for c in columns[1:]]
            parts.append("</tr>")
        parts.append("</tbody></table>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
