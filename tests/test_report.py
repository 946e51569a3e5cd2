"""Unit tests of the report helpers and the delivery comparison, on hand-made frames."""

from __future__ import annotations

import pandas as pd

from tests.conftest import trial_options
from trialflow import ard_table as A
from trialflow.ard.efficacy import km_ard, response_rates_ard
from trialflow.ard_table import ard_rows, concat_ard
from trialflow.ingest import comparison as C
from trialflow.report import efficacy as E
from trialflow.report import format as F
from trialflow.report import html as H
from trialflow.report import methods as M
from trialflow.report import summary as K


def _orr(n: int, N: int, est: float, lo: float, hi: float) -> pd.DataFrame:
    return ard_rows(
        {"n": n, "N": N, "estimate": est, "lower": lo, "upper": hi, "conf_level": 0.95},
        analysis="orr",
        population="EFFFL",
        parameter="CRSP",
        dataset="ADRS",
        filter="",
        derivation=response_rates_ard,
    )


def _km(parameter: str, **stats) -> pd.DataFrame:
    return ard_rows(
        {"conf_level": 0.95, **stats},
        analysis="km",
        population="ENRLFL",
        parameter=parameter,
        dataset="ADTTE",
        filter="",
        derivation=km_ard,
    )


TRIAL = {
    "response": {
        "source": "derived",
        "confirmation": {"required": True, "min_days": 35, "max_ne_between": 2},
        "sd_min_days": 49,
        "cbr_sd_min_days": 180,
    },
    "design": {"endpoint": "ORR", "kind": "simon_two_stage", "p0": 0.1},
    "pfs": {"censor_at_new_therapy": True, "max_missed_assessments": 3, "visit_window_days": 5},
    "assessment_interval_days": 56,
    "rates": {"ci_method": "wilson", "conf_level": 0.9},
    "survival": {"conf_type": "log", "conf_level": 0.95, "landmarks_months": [3, 9]},
    "safety": {"teae_window_days": 28, "aesi": ["RASH"], "common_ae_threshold": 0.15},
    "subgroups": ["COHORT"],
    "reference_start": "first_dose",
    "drug": {
        "name": "X",
        "planned_dose": 1,
        "dose_unit": "mg",
        "doses_per_cycle": 1,
        "cycle_days": 21,
        "schedule": "",
    },
}
OPTIONS = trial_options(**TRIAL)


def test_formatting_says_ne_for_missing_values():
    assert F.fmt_num("") == "NE"
    assert F.fmt_num(float("nan")) == "NE"
    assert F.fmt_num("inf") == "NE"
    assert F.fmt_num("2.25", 1) == "2.2"  # round half to even of the binary value 2.25
    assert F.fmt_pct("0.125", 1, proportion=True) == "12.5%"
    assert F.fmt_estimate_ci("3.04", "2.0", "") == "3.0 (2.0–NE)"


def test_rate_text_reads_the_ard():
    # 3/12 = 25.0%; CI limits written as given: 0.0549 -> 5.5%, 0.5719 -> 57.2%
    s = A.ard_stats(_orr(3, 12, 0.25, 0.0549, 0.5719), analysis="orr", parameter="CRSP")
    assert E.rate_text(s) == "3/12 (25.0%; 95% CI 5.5%–57.2%)"


def test_key_results_put_the_primary_endpoint_first_and_say_no_responders():
    eff = concat_ard([_orr(0, 10, 0.0, 0.0, 0.3085), _km("PFS", n=10, events=0, median=None)])
    empty = pd.DataFrame(columns=eff.columns)
    orr_first = K.key_results_table(eff, empty, empty, options=OPTIONS)
    assert orr_first["Result"].iloc[1].startswith("Objective response rate (confirmed) — primary")
    assert orr_first["Value"].iloc[1].endswith("no responders")
    pfs_first = K.key_results_table(
        eff, empty, empty, options=trial_options(**{**TRIAL, "design": {"endpoint": "PFS"}})
    )
    assert pfs_first["Result"].iloc[1] == "Median progression-free survival — primary endpoint"
    assert pfs_first["Value"].iloc[1].startswith("NE (95% CI NE–NE)")
    assert E.km_note(eff, "PFS") == (
        "Progression-free survival: no events were observed; the median is not estimable (NE)."
    )
    assert E.km_note(eff, "OS").startswith("Overall survival: no subjects")
    assert E.responders_note(eff, confirmation_required=True).startswith(
        "No confirmed responders among 10"
    )


def test_km_table_lists_landmarks_from_the_ard():
    eff = _km(
        "OS",
        n=20,
        events=5,
        censored=15,
        median=None,
        surv_3m=0.9,
        surv_3m_lower=0.8,
        surv_3m_upper=0.95,
        n_risk_3m=17,
    )
    table = E.km_table(eff, "OS")
    row = table[table["Statistic"].str.startswith("Event-free at 3 months")]
    assert row["Value"].tolist() == ["90.0% (80.0%–95.0%); 17 at risk"]
    assert table.loc[table["Statistic"].str.startswith("Median"), "Value"].tolist() == [
        "NE (NE–NE)"
    ]


def test_methods_table_reads_every_threshold_from_the_trial():
    table = M.methods_table(OPTIONS)
    values = {
        (a, r): v for a, r, v in zip(table["Area"], table["Rule"], table["Value"], strict=True)
    }
    rule = {r: v for (_, r), v in values.items()}
    assert rule["Confirmation: minimum days between response and confirmation"] == "35"
    assert rule["Confirmation: maximum NE assessments between"] == "2"
    assert rule["SD: minimum days after start"] == "49"
    assert rule["Clinical benefit: minimum SD duration (days)"] == "180"
    assert rule["Maximum missed assessments before PD/death"] == "3"
    assert rule["Visit window around each scheduled assessment (\N{PLUS-MINUS SIGN} days)"] == "5"
    assert "(3 + 1) \N{MULTIPLICATION SIGN} 56 + 5 = 229 days" in rule["Censoring rules (FDA 2018)"]
    assert rule["Planned interval between tumour assessments (days)"] == "56"
    assert rule["TEAE window after last dose (days)"] == "28"
    assert (values[("Rates", "CI method")], values[("Rates", "CI level")]) == ("wilson", "90% CI")
    assert rule["Landmarks (months)"] == "3, 9"
    assert (
        rule["Response source (derived = RECIST 1.1 from TU/TR; investigator or independent = RS)"]
        == "derived"
    )
    assert (
        values[("Kaplan–Meier", "CI transformation (median: Brookmeyer–Crowley; rates: pointwise)")]
        == "log"
    )
    assert rule["Uninteresting response rate p0"] == "0.1"


def test_methods_table_shows_every_option_field():
    """Methods renders from the option objects: every field of every option is a row."""
    import dataclasses

    table = M.methods_table(OPTIONS)
    shown = set(zip(table["Area"], table["Rule"], strict=True))
    for section, area in M.AREAS.items():
        obj = getattr(OPTIONS, section)
        for f in dataclasses.fields(obj):
            if getattr(obj, f.name) is None or (section, f.name) == ("pfs", "new_therapy_boundary"):
                continue
            if section == "design" and (not obj.applies(f.name) or f.name == "cohorts"):
                continue  # options of other design kinds; cohorts get one row each
            assert (area, f.metadata["label"]) in shown, f"{section}.{f.name}"


def test_gt_html_escapes_text_and_uses_the_fixed_id():
    df = pd.DataFrame({"Term": ["<script>alert(1)</script>"], "n": ["1"]})
    first = H.gt_html(df, table_id="tf-test", title="<b>x</b>")
    assert first == H.gt_html(df, table_id="tf-test", title="<b>x</b>")
    assert "<script>" not in first and "&lt;script&gt;alert(1)&lt;/script&gt;" in first
    assert "&lt;b&gt;x&lt;/b&gt;" in first
    assert 'id="tf-test"' in first
    assert "No rows." in H.gt_html(df.iloc[:0], table_id="tf-empty")


def test_strip_notebook_removes_injected_cell_and_run_metadata():
    nb = {
        "metadata": {
            "papermill": {"start_time": "2026-01-01"},
            "kernelspec": {"name": "trialflow"},
        },
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"tags": ["parameters"]},
                "outputs": [],
                "source": "a = 1",
            },
            {
                "cell_type": "code",
                "metadata": {"tags": ["injected-parameters"]},
                "outputs": [],
                "source": "a = 2",
            },
            {
                "cell_type": "code",
                "metadata": {
                    "papermill": {"duration": 1.5},
                    "execution": {"iopub.status.idle": "2026"},
                },
                "outputs": [
                    {"output_type": "stream", "name": "stderr", "text": "/abs/path warning"},
                    {"output_type": "stream", "name": "stdout", "text": "ok"},
                ],
                "source": "print('ok')",
            },
        ],
    }
    out = H.strip_notebook(nb)
    assert [c["source"] for c in out["cells"]] == ["a = 1", "print('ok')"]
    assert "papermill" not in out["metadata"] and out["metadata"]["kernelspec"] == {
        "name": "trialflow"
    }
    assert out["cells"][1]["metadata"] == {}
    assert out["cells"][1]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "ok"}]
    assert len(nb["cells"]) == 3  # input untouched


def test_delivery_changes_by_key():
    dt = pd.to_datetime
    prev = {
        "dm": pd.DataFrame({"USUBJID": ["A", "B"], "AGE": [50.0, 60.0], "SRCROW": [1, 2]}),
        "ae": pd.DataFrame(
            {
                "USUBJID": ["A", "A"],
                "AESEQ": [1.0, 2.0],
                "AEDECOD": ["RASH", "NAUSEA"],
                "AEENDTC": ["2020-01-05", None],
                "AEENDT": dt(["2020-01-05", "2020-06-30"]),
                "AEENDTF": [None, "Y"],
                "SRCROW": [1, 2],
            }
        ),
    }
    cur = {
        "dm": pd.DataFrame(
            {"USUBJID": ["A", "B", "C"], "AGE": [50.0, 60.0, 70.0], "SRCROW": [1, 2, 3]}
        ),
        "ae": pd.DataFrame(
            {
                # row order differs; A/2 gets its end date (an update); A/1 recoded (a correction);
                # C/1 is new. The derived AEENDT, its flag and SRCROW differ but are not compared.
                "USUBJID": ["C", "A", "A"],
                "AESEQ": [1.0, 2.0, 1.0],
                "AEDECOD": ["FATIGUE", "NAUSEA", "RASH MACULAR"],
                "AEENDTC": [None, "2020-08-01", "2020-01-05"],
                "AEENDT": dt(["2021-01-01", "2020-08-01", "2020-01-05"]),
                "AEENDTF": ["Y", None, None],
                "SRCROW": [1, 2, 3],
            }
        ),
    }
    assert C.subjects_added(prev["dm"], cur["dm"]) == ["C"]
    assert C.subjects_removed(prev["dm"], cur["dm"]) == []
    summary, changes = C.delivery_changes(prev, cur)
    ae = summary.set_index("domain").loc["AE"]
    assert (ae.previous_records, ae.current_records, ae.added, ae.removed) == (2, 3, 1, 0)
    assert (ae.changed_records, ae.changed_values) == (2, 2)
    dm = summary.set_index("domain").loc["DM"]
    assert (dm.added, dm.changed_records) == (1, 0)
    # AEDECOD RASH -> RASH MACULAR replaces a value (corrected); AEENDTC "" -> a date fills one
    assert changes.values.tolist() == [["AE", "AEDECOD", 1, 1, 0, 0], ["AE", "AEENDTC", 1, 0, 1, 0]]
    assert list(changes.columns) == [
        "domain",
        "variable",
        "records",
        "corrected",
        "filled_in",
        "cleared",
    ]
    detail = C.changed_records(prev["ae"], cur["ae"], keys=["USUBJID", "AESEQ"])
    assert detail[["variable", "previous", "current"]].values.tolist() == [
        ["AEDECOD", "RASH", "RASH MACULAR"],
        ["AEENDTC", "", "2020-08-01"],
    ]


def test_report_figures_carry_their_caption_as_alternative_text():
    """A figure shown with `Image(..., alt=caption)` keeps the caption as the img alt text
    (for screen readers), not the generic text nbconvert's lab template would give."""
    import base64
    from html.parser import HTMLParser
    from pathlib import Path

    import nbformat

    from trialflow.report.execute import notebook_html

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode("ascii")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": png},
            metadata={"image/png": {"alt": 'Figure: PFS "by" cohort & <stage>.'}},
        )
    ]
    nb.cells = [cell]
    html = notebook_html(nb, template_dir=Path(__file__).parents[1] / "notebooks" / "templates")

    class Images(HTMLParser):
        alts: list[str | None] = []

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.alts.append(dict(attrs).get("alt"))

    parser = Images()
    parser.feed(html)
    assert parser.alts == ['Figure: PFS "by" cohort & <stage>.']
