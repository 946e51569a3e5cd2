"""Figures for the trial report: one function per figure, each returning a matplotlib Figure.

Every function takes analysis datasets (ADaM) or computed results and only draws; none
writes files. `save_figure` is the one I/O function: it writes PNG and SVG byte-identically
across runs. All figures share `trialflow.figures.style` (Okabe–Ito palette, DejaVu Sans,
8 x 5 in at 150 dpi) and draw an empty-state figure, never an error, when there is nothing
to show.

- `km_figure`: Kaplan–Meier curves (PFS, OS, DoR; overall or by subgroup) with censor marks,
  confidence bands, medians with CIs and a number-at-risk table.
- `waterfall_figure`: best % change in SLD per evaluable subject, coloured by confirmed BOR.
- `spider_figure`: % change in SLD over time, one line per subject.
- `swimmer_figure`: time on treatment with first response, PD, death and ongoing arrows.
- `forest_figure`: estimates with CIs by subgroup level (ORR, median PFS).
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the submodule that defines it. Submodules (and matplotlib) are imported on
#: first use, so that `trialflow.figures.names` stays cheap for the workflow to import.
_EXPORTS = {
    "forest_figure": "forest",
    "forest_rows": "forest",
    "km_figure": "km",
    "number_at_risk": "km",
    "risk_table_times": "km",
    "empty_figure": "style",
    "is_empty_figure": "style",
    "save_figure": "style",
    "style_context": "style",
    "swimmer_data": "swimmer",
    "swimmer_figure": "swimmer",
    "best_percent_change": "tumour",
    "post_baseline_assessments": "tumour",
    "spider_figure": "tumour",
    "subject_bor": "tumour",
    "subject_set": "tumour",
    "waterfall_figure": "tumour",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
    return getattr(module, name)
