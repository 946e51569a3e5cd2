"""The report's summary of the ADaM conformance checks (`conformance.csv`)."""

from __future__ import annotations

import pandas as pd

from trialflow.report.format import text_table


def conformance_tables(conformance: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """(one sentence, the failed checks) of `conformance.csv` (ADaM conformance checks)."""
    if conformance.empty:
        return "The ADaM conformance checks were not run.", text_table([], ["Dataset"])
    failed = conformance[conformance["status"] == "fail"]
    counts = failed.groupby("severity").size().to_dict()
    sentence = (
        f"{len(conformance)} ADaM conformance checks on the analysis datasets: "
        f"{len(conformance) - len(failed)} passed; {counts.get('error', 0)} error(s), "
        f"{counts.get('warning', 0)} warning(s) and {counts.get('note', 0)} note(s) failed."
    )
    rows = [
        {
            "Dataset": r["dataset"],
            "Check": r["check"],
            "Variable": r["variable"],
            "Severity": r["severity"],
            "Failures": r["failures"],
            "Rule": r["rule"],
        }
        for r in failed.to_dict("records")
    ]
    columns = ["Dataset", "Check", "Variable", "Severity", "Failures", "Rule"]
    return sentence, text_table(rows, columns)
