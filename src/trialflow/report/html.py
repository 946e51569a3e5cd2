"""HTML for the report notebooks: great-tables tables with fixed ids, escaped text, and the
notebook stripping that makes executed notebooks byte-identical."""

from __future__ import annotations

import copy
import html
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

#: The report's sections, in order (the headings of the trial report notebook).
TRIAL_REPORT_SECTIONS = [
    "Summary of key results",
    "Data issues",
    "Disposition",
    "Demographics and baseline characteristics",
    "Exposure",
    "Efficacy",
    "Tumour response figures",
    "Subgroups",
    "Safety",
    "Submission conformance",
    "Methods",
]


def escape(text: Any) -> str:
    """HTML-escape any value as text."""
    return html.escape(str(text), quote=True)


def gt_html(
    df: pd.DataFrame,
    *,
    table_id: str,
    title: str | None = None,
    subtitle: str | None = None,
    notes: Iterable[str] = (),
    empty: str = "No rows.",
) -> str:
    """An HTML table from `df` via great-tables with the fixed id `table_id`.

    Every cell, column label, title and note is escaped by great-tables. An empty `df`
    gives an escaped paragraph `empty` instead of a table.
    """
    from great_tables import GT

    if df.empty:
        head = f"<p><strong>{escape(title)}</strong></p>" if title else ""
        return f'<div id="{escape(table_id)}">{head}<p class="tf-small">{escape(empty)}</p></div>'
    gt = GT(df.reset_index(drop=True), id=table_id)
    if len(df.columns) > 2:
        gt = gt.cols_width({str(df.columns[0]): "32%"})
    if title:
        gt = gt.tab_header(title=title, subtitle=subtitle)
    for note in notes:
        gt = gt.tab_source_note(note)
    gt = gt.tab_options(
        table_font_size="13px",
        table_width="100%",
        table_font_names=["DejaVu Sans", "Arial", "sans-serif"],
    )
    return gt.as_raw_html()


def source_note(file: str, ard: pd.DataFrame | None = None, analyses: Iterable[str] = ()) -> str:
    """The footnote that traces a table to its data: the file, the analyses it reads and the
    library functions that computed them (the ARD `derivation` column)."""
    wanted = list(analyses)
    text = f"Source: {file}"
    if wanted:
        text += f", analysis {', '.join(wanted)}"
    if ard is not None and len(ard) and "derivation" in ard.columns:
        rows = ard[ard["analysis"].isin(wanted)] if wanted else ard
        functions = sorted(set(rows["derivation"]) - {""})
        if functions:
            text += f"; computed by {', '.join(functions)}"
    return text + "."


def paragraph(text: str, cls: str = "") -> str:
    """One escaped paragraph."""
    attr = f' class="{escape(cls)}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def key_results_html(sentence: str) -> str:
    """The design decision sentence, highlighted."""
    return (
        f'<div class="tf-key"><p class="tf-decision">Design decision: {escape(sentence)}</p></div>'
    )


_CELL_METADATA_DROP = ("papermill", "execution", "collapsed", "scrolled")


def strip_notebook(nb: Mapping[str, Any]) -> dict[str, Any]:
    """The executed notebook made deterministic (a new dict; `nb` is not modified).

    Removes the papermill-injected parameters cell (tag ``injected-parameters``), notebook
    and cell papermill metadata (times, durations, paths, parameters), cell execution
    timestamps, and stderr stream outputs (warnings may carry absolute paths; papermill
    logs them to the rule log). The ``parameters`` cell with its defaults stays.
    """
    out = copy.deepcopy(dict(nb))
    meta = out.setdefault("metadata", {})
    for key in ("papermill", "widgets"):
        meta.pop(key, None)
    cells = []
    for cell in out.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            continue
        cmeta = cell.setdefault("metadata", {})
        for key in _CELL_METADATA_DROP:
            cmeta.pop(key, None)
        if "outputs" in cell:
            cell["outputs"] = [
                o
                for o in cell["outputs"]
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
        cells.append(cell)
    out["cells"] = cells
    return out
