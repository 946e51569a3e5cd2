"""The report's summary of key results and the cutoff comparison's results by cutoff, read from
the ARD."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from trialflow.ard_table import ard_select, ard_stats
from trialflow.config.options import TrialOptions
from trialflow.report.efficacy import KM_NAMES, median_text, orr_parameter, rate_text
from trialflow.report.format import NE, fmt_estimate_ci, fmt_int, fmt_n_pct, text_table, to_float
from trialflow.report.safety import population_n


def key_results_table(
    efficacy: pd.DataFrame,
    safety: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    options: TrialOptions,
) -> pd.DataFrame:
    """Key results, the primary endpoint (the design's endpoint) first."""
    confirmed = options.response.confirmation_required
    orr_p = orr_parameter(efficacy, confirmation_required=confirmed)
    orr = ard_stats(efficacy, analysis="orr", parameter=orr_p)
    orr_row = {
        "Result": f"Objective response rate ({'confirmed' if orr_p == 'CRSP' else 'unconfirmed'})",
        "Value": rate_text(orr),
    }
    if orr and (to_float(orr.get("n")) or 0) == 0:
        orr_row["Value"] += " \N{EM DASH} no responders"
    km = {p: ard_stats(efficacy, analysis="km", parameter=p) for p in ("PFS", "OS", "DOR")}

    def km_row(p: str) -> dict[str, str]:
        s = km[p]
        value = median_text(s)
        if s:
            value += f"; {fmt_int(s.get('events'))} events in {fmt_int(s.get('n'))} subjects"
        return {"Result": f"Median {KM_NAMES[p].lower()}", "Value": value}

    endpoint = options.design.endpoint
    efficacy_rows = [orr_row, km_row("PFS")] if endpoint == "ORR" else [km_row("PFS"), orr_row]
    efficacy_rows[0]["Result"] += " \N{EM DASH} primary endpoint"
    dcr = ard_stats(efficacy, analysis="dcr", parameter="CDCR" if orr_p == "CRSP" else "DCR")
    fu = km["OS"]
    teae = ard_stats(safety, analysis="teae_overview", parameter="ANY TEAE")
    g3 = ard_stats(safety, analysis="teae_overview", parameter="GRADE >= 3")
    rows = [
        {
            "Result": "Subjects enrolled / treated (safety) / evaluable for efficacy",
            "Value": f"{population_n(baseline, 'ENRLFL')} / {population_n(baseline, 'SAFFL')} / {population_n(baseline, 'EFFFL')}",
        },
        *efficacy_rows,
        km_row("OS"),
        km_row("DOR"),
        {"Result": "Disease control rate", "Value": rate_text(dcr)},
        {
            "Result": "Median follow-up (reverse KM on OS)",
            "Value": fmt_estimate_ci(
                fu.get("followup_median"), fu.get("followup_lower"), fu.get("followup_upper")
            )
            + " months",
        },
        {"Result": "Any TEAE", "Value": fmt_n_pct(teae.get("n"), teae.get("pct"))},
        {
            "Result": "Grade \N{GREATER-THAN OR EQUAL TO} 3 TEAE",
            "Value": fmt_n_pct(g3.get("n"), g3.get("pct")),
        },
    ]
    return text_table(rows, ["Result", "Value"])


def cutoff_results_table(
    efficacy: Mapping[str, pd.DataFrame],
    safety: Mapping[str, pd.DataFrame],
    *,
    options: TrialOptions,
) -> pd.DataFrame:
    """One column per cutoff: N, events, ORR, median PFS and OS with CIs, the decision."""
    confirmed = options.response.confirmation_required
    labels = [
        "Subjects (PFS/OS population)",
        "Evaluable for response",
        "PFS events",
        "OS events",
        "Objective response rate",
        "Median PFS",
        "Median OS",
        "Subjects with any TEAE",
        "Design decision",
    ]
    table: dict[str, list[str]] = {"Result": labels}
    for cutoff, eff in efficacy.items():
        orr = ard_stats(
            eff, analysis="orr", parameter=orr_parameter(eff, confirmation_required=confirmed)
        )
        pfs = ard_stats(eff, analysis="km", parameter="PFS")
        os_ = ard_stats(eff, analysis="km", parameter="OS")
        teae = ard_stats(
            safety.get(cutoff, pd.DataFrame()), analysis="teae_overview", parameter="ANY TEAE"
        )
        decision = ard_select(eff, analysis="design", stat="final_decision")
        table[f"Cutoff {cutoff}"] = [
            fmt_int(pfs.get("n")),
            fmt_int(orr.get("N")),
            fmt_int(pfs.get("events")),
            fmt_int(os_.get("events")),
            rate_text(orr),
            median_text(pfs),
            median_text(os_),
            fmt_n_pct(teae.get("n"), teae.get("pct")) if teae else NE,
            str(decision["value"].iloc[0]) if len(decision) else NE,
        ]
    return pd.DataFrame(table).astype(str)


def changes_summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Display form of `comparison.delivery_changes` summary."""
    out = summary.rename(
        columns={
            "domain": "Domain",
            "previous_records": "Records before",
            "current_records": "Records after",
            "added": "Added",
            "removed": "Removed",
            "changed_records": "Changed records",
            "changed_values": "Changed values",
        }
    )
    return out.astype(str).reset_index(drop=True)


def changes_detail_table(changes: pd.DataFrame) -> pd.DataFrame:
    """Display form of `comparison.delivery_changes` per-variable changes."""
    out = changes.rename(
        columns={
            "domain": "Domain",
            "variable": "Variable",
            "records": "Records",
            "corrected": "Corrected (value replaced)",
            "filled_in": "Filled in (was empty)",
            "cleared": "Cleared (now empty)",
        }
    )
    return out.astype(str).reset_index(drop=True)
