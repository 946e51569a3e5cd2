"""RTF tables and figures for the clinical study report (rtflite), read from the ARD.

Each table is the same display table the HTML report shows (`trialflow.report`), so the
numbers are identical; it gets a numbered title, the population with its N, footnotes naming
the source dataset, the ARD file and the producing function, and the data cutoff. The list of
displays, their numbers and titles is `trialflow.vocab.TLF_DISPLAYS` (the CDISC ARS reporting
event lists the same). rtflite writes no creation date, so two runs give identical files.

`tlf_documents(...)` returns `{stem: RTF text}`; figures embed the PNG files the figure rules
wrote (rtflite reads them from the paths given).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from trialflow import ard_table as A
from trialflow.report import efficacy as E
from trialflow.report import format as F
from trialflow.report import safety as S
from trialflow.vocab import KM_PARAMS, TLF_DISPLAYS

POPULATIONS = {
    "ENRLFL": "Enrolled population (ENRLFL = Y)",
    "SAFFL": "Safety population (SAFFL = Y)",
    "EFFFL": "Efficacy-evaluable population (EFFFL = Y)",
}
NE_NOTE = "NE: not estimable."


def _population(baseline: pd.DataFrame, flag: str) -> str:
    name = POPULATIONS.get(flag, f"{flag} = Y")
    n = S.population_n(baseline, flag)
    return f"{name}, N = {n}" if n != F.NE else name


def _flag_of(ard: pd.DataFrame, analysis: str, parameter: str | None = None) -> str:
    where = {"analysis": analysis}
    if parameter:
        where["parameter"] = parameter
    rows = A.ard_select(ard, **where)
    return str(rows["population"].iloc[0]) if len(rows) else ""


def _document(
    df: pd.DataFrame | list[pd.DataFrame],
    *,
    stem: str,
    population: str,
    cutoff: str,
    study: str,
    footnotes: list[str],
    widths: list[float] | list[list[float]] | None = None,
) -> str:
    """One table display; a list of frames gives one section per frame (own column header)."""
    import polars as pl
    import rtflite as rtf

    number, title, _ = TLF_DISPLAYS[stem]
    frames = [f.reset_index(drop=True).astype(str) for f in (df if isinstance(df, list) else [df])]
    if widths is None or not isinstance(widths[0], list):
        widths = [widths] * len(frames)  # type: ignore[list-item]
    headers, bodies = [], []
    for frame, w in zip(frames, widths, strict=True):
        ncol = len(frame.columns)
        w = list(w) if w else [3.0] + [1.0] * (ncol - 1)
        just = ["l"] + ["c"] * (ncol - 1)
        headers.append(
            [
                rtf.RTFColumnHeader(
                    text=list(frame.columns), col_rel_width=w, text_justification=just
                )
            ]
        )
        bodies.append(
            rtf.RTFBody(col_rel_width=w, text_justification=[just], text_convert=[[False]])
        )
    single = len(frames) == 1
    wide = max(len(f.columns) for f in frames) > 4
    doc = rtf.RTFDocument(
        df=pl.from_pandas(frames[0]) if single else [pl.from_pandas(f) for f in frames],
        rtf_page=rtf.RTFPage(orientation="landscape" if wide else "portrait"),
        rtf_page_header=rtf.RTFPageHeader(
            text=f"{study}    Data cutoff: {cutoff}", text_convert=False
        ),
        rtf_title=rtf.RTFTitle(text=[number, title, population], text_convert=False),
        rtf_column_header=headers[0] if single else headers,
        rtf_body=bodies[0] if single else bodies,
        rtf_footnote=rtf.RTFFootnote(text=footnotes, text_convert=False),
        rtf_source=rtf.RTFSource(
            text=[f"Data cutoff: {cutoff}. Output: tlf/{stem}.rtf."], text_convert=False
        ),
    )
    return doc.rtf_encode()


def _figure(
    path: str, *, stem: str, population: str, cutoff: str, study: str, footnotes: list[str]
) -> str:
    import rtflite as rtf

    number, title, _ = TLF_DISPLAYS[stem]
    doc = rtf.RTFDocument(
        rtf_page=rtf.RTFPage(orientation="landscape"),
        rtf_page_header=rtf.RTFPageHeader(
            text=f"{study}    Data cutoff: {cutoff}", text_convert=False
        ),
        rtf_title=rtf.RTFTitle(text=[number, title, population], text_convert=False),
        rtf_figure=rtf.RTFFigure(figures=[path], fig_width=7.0, fig_height=4.2),
        rtf_footnote=rtf.RTFFootnote(text=footnotes, as_table=False, text_convert=False),
        rtf_source=rtf.RTFSource(
            text=[f"Data cutoff: {cutoff}. Output: tlf/{stem}.rtf."], text_convert=False
        ),
    )
    return doc.rtf_encode()


def _source(dataset: str, ard: str, function: str) -> str:
    return f"Source: {dataset} (ard/{ard}.csv); produced by {function}."


def tlf_documents(
    efficacy: pd.DataFrame,
    safety: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    cutoff: str,
    study: str,
    figures: Mapping[str, str],
) -> dict[str, str]:
    """Every display of `TLF_DISPLAYS` as RTF text; `figures` maps a figure stem (km_pfs,
    km_os, km_dor, waterfall) to its PNG file."""
    out: dict[str, str] = {}
    common: dict[str, Any] = {"cutoff": cutoff, "study": study}

    out["t_disposition"] = _document(
        S.disposition_table(baseline),
        stem="t_disposition",
        population=_population(baseline, "ENRLFL"),
        footnotes=[
            "Percentages of enrolled subjects.",
            _source("ADSL", "baseline", "trialflow.ard.baseline.disposition_table"),
        ],
        **common,
    )
    out["t_demographics"] = _document(
        S.demographics_table(baseline),
        stem="t_demographics",
        population=_population(baseline, "SAFFL"),
        footnotes=[
            "SD: standard deviation.",
            _source("ADSL", "baseline", "trialflow.ard.baseline.demographics_table"),
        ],
        widths=[2.5, 1.5, 1.5],
        **common,
    )
    out["t_exposure"] = _document(
        S.exposure_table(baseline),
        stem="t_exposure",
        population=_population(baseline, "SAFFL"),
        footnotes=[
            "Dose intensity per day; relative dose intensity = actual / planned (%).",
            _source("ADEX", "baseline", "trialflow.ard.baseline.exposure_table"),
        ],
        widths=[2.5, 1.5, 1.5],
        **common,
    )
    bor = E.bor_table(efficacy)
    rates = E.rate_table(efficacy)
    out["t_response"] = _document(
        [bor, rates],
        stem="t_response",
        population=_population(baseline, "EFFFL"),
        footnotes=[
            "Best overall response per RECIST 1.1; rates as n/N (%) with the exact "
            "Clopper-Pearson confidence interval. " + NE_NOTE,
            _source(
                "ADRS",
                "efficacy",
                "trialflow.ard.efficacy.bor_table_ard and response_rates_ard",
            ),
        ],
        widths=[[3.0] + [2.0] * (len(bor.columns) - 1), [3.0, 1.0, 1.0, 0.8, 1.4, 1.6, 1.6]],
        **common,
    )
    for parameter in KM_PARAMS:
        stem = f"t_km_{parameter.lower()}"
        note = E.km_note(efficacy, parameter)
        out[stem] = _document(
            E.km_table(efficacy, parameter),
            stem=stem,
            population=_population(baseline, _flag_of(efficacy, "km", parameter)),
            footnotes=[
                *([note] if note else []),
                "Kaplan-Meier estimates; CIs for the median and quartiles by Brookmeyer-Crowley; "
                "months = days / 30.4375. " + NE_NOTE,
                _source("ADTTE", "efficacy", "trialflow.ard.efficacy.km_ard"),
            ],
            widths=[3.0, 2.0],
            **common,
        )
    out["t_design"] = _document(
        E.design_table(efficacy),
        stem="t_design",
        population=_population(baseline, _flag_of(efficacy, "design") or "EFFFL"),
        footnotes=[
            E.design_sentence(efficacy),
            _source("ADRS", "efficacy", "trialflow.ard.efficacy.design_ard"),
        ],
        widths=[3.0, 2.0],
        **common,
    )
    out["t_teae_overview"] = _document(
        S.teae_overview_table(safety),
        stem="t_teae_overview",
        population=_population(baseline, "SAFFL"),
        footnotes=[
            "TEAE: treatment-emergent adverse event.",
            _source("ADAE", "safety", "trialflow.ard.safety.teae_overview"),
        ],
        widths=[3.0, 1.5, 1.0],
        **common,
    )
    for stem, grade3 in (("t_teae_soc_pt", False), ("t_teae_grade3", True)):
        table = S.soc_pt_table(safety, grade3_only=grade3)
        if table.empty:
            table = pd.DataFrame({"SOC / preferred term": ["No events."]})
        out[stem] = _document(
            table,
            stem=stem,
            population=_population(baseline, "SAFFL"),
            footnotes=[
                "Subjects counted once per row at their worst grade (CTCAE).",
                _source("ADAE", "safety", "trialflow.ard.safety.teae_by_soc_pt"),
            ],
            widths=[3.5] + [1.3] * (len(table.columns) - 1),
            **common,
        )
    figure_notes = {
        "f_km_pfs": ("km_pfs", "ADTTE", "trialflow.figures.km"),
        "f_km_os": ("km_os", "ADTTE", "trialflow.figures.km"),
        "f_km_dor": ("km_dor", "ADTTE", "trialflow.figures.km"),
        "f_waterfall": ("waterfall", "ADTR, ADRS", "trialflow.figures.tumour"),
    }
    for stem, (figure, dataset, function) in figure_notes.items():
        flag = TLF_DISPLAYS[stem][2] or _flag_of(efficacy, "km", figure.split("_")[-1].upper())
        out[stem] = _figure(
            figures[figure],
            stem=stem,
            population=_population(baseline, flag),
            footnotes=[f"Source: {dataset} (figures/{figure}.png); produced by {function}."],
            **common,
        )
    return out
