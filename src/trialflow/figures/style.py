"""The one shared figure style: palette, fonts, sizes, the empty-state figure and `save_figure`.

Every trialflow figure is drawn inside `style_context()`, which starts from matplotlib's own
defaults (so a user's matplotlibrc or a notebook's rcParams cannot leak in) and applies `RC`:

- **Font.** DejaVu Sans, the font that ships inside matplotlib (``mpl-data/fonts/ttf``), so
  no download or system font is needed and the glyphs are the same wherever the pinned
  matplotlib is installed.
- **Palette.** Okabe & Ito (2008), "Color Universal Design", a palette that readers with the
  common colour-vision deficiencies can tell apart. Best overall response (BOR) categories and
  groups (subgroup levels, cohorts) get fixed colours from it, so a category has the same
  colour in every figure.
- **Size.** 8 x 5 in, written at 150 dpi (1200 x 750 px): readable at report width.

`save_figure` is the only function in `trialflow.figures` that writes files. It makes the PNG
and SVG byte-identical across runs: no ``Software`` entry in the PNG, no ``Date`` or
``Creator`` in the SVG (and no dated or versioned RDF entries), a fixed ``svg.hashsalt`` for
the SVG element ids, and ``svg.fonttype = "path"`` so text is stored as glyph outlines. We
chose "path" over "none": the SVG then renders the same in any browser without the font
installed (the HTML report loads no web fonts), at the cost of text that is not selectable.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
import matplotlib.style
from matplotlib.figure import Figure

from trialflow.vocab import BOR_CATEGORIES, DAYS_PER_MONTH  # noqa: F401  (time axes in months)

# --------------------------------------------------------------------------- palette

#: The Okabe–Ito palette (Okabe & Ito 2008), by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: A neutral grey for "not evaluable" and for reference lines (not an Okabe–Ito hue).
GREY = "#999999"

#: Colours for groups (subgroup levels, cohorts, cutoffs), in the order groups are drawn.
#: Yellow is left out: it is too light for lines on white.
GROUP_COLORS: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
)

#: RECIST 1.1 best-overall-response categories in display order (best first).
BOR_ORDER: tuple[str, ...] = BOR_CATEGORIES

#: One fixed colour per BOR category: the responses in blues, SD green, PD vermillion.
BOR_COLORS: dict[str, str] = {
    "CR": OKABE_ITO["blue"],
    "PR": OKABE_ITO["sky_blue"],
    "SD": OKABE_ITO["bluish_green"],
    "NON-CR/NON-PD": OKABE_ITO["reddish_purple"],
    "PD": OKABE_ITO["vermillion"],
    "NE": GREY,
    "MISSING": OKABE_ITO["black"],
}

#: Display labels for BOR categories in legends.
BOR_LABELS: dict[str, str] = {
    "CR": "CR",
    "PR": "PR",
    "SD": "SD",
    "NON-CR/NON-PD": "Non-CR/non-PD",
    "PD": "PD",
    "NE": "NE",
    "MISSING": "Missing",
}

#: Colour of reference lines (RECIST thresholds, zero, median).
REFERENCE_COLOR = "#555555"

# --------------------------------------------------------------------------- sizes and rc


#: Default figure size in inches (width, height): report width.
FIGSIZE: tuple[float, float] = (8.0, 5.0)

#: Resolution of the PNG files.
PNG_DPI = 150

#: The fixed salt for SVG element ids, so ids do not change between runs.
SVG_HASHSALT = "trialflow"

#: rcParams applied on top of matplotlib's defaults for every trialflow figure.
RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10.0,
    "axes.titlesize": 12.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 10.0,
    "xtick.labelsize": 9.0,
    "ytick.labelsize": 9.0,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(GROUP_COLORS)),
    "figure.dpi": 100.0,
    "figure.facecolor": "white",
    "savefig.dpi": PNG_DPI,
    "savefig.facecolor": "white",
    "svg.hashsalt": SVG_HASHSALT,
    "svg.fonttype": "path",
    "hatch.linewidth": 0.8,
}

#: PNG metadata for `savefig`: ``None`` removes matplotlib's default "Software" entry.
PNG_METADATA: dict[str, Any] = {"Software": None}

#: SVG metadata for `savefig`: ``None`` removes the dated, versioned and linked entries.
SVG_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Type": None, "Format": None}

P = ParamSpec("P")
R = TypeVar("R")


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """Apply the trialflow style: matplotlib defaults plus `RC`, restored on exit."""
    with matplotlib.style.context(["default", RC]):
        yield


def styled(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator: run a figure function inside `style_context()`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with style_context():
            return func(*args, **kwargs)

    return wrapper


def new_figure(
    figsize: tuple[float, float] = FIGSIZE, *, layout: str | None = "constrained", **kwargs: Any
) -> Figure:
    """A new Figure (constrained layout by default), not registered with pyplot (no global
    state, nothing to close).

    Call inside `style_context()` (the figure functions do, through `styled`).
    """
    return Figure(figsize=figsize, layout=layout, **kwargs)


@styled
def empty_figure(title: str, message: str, *, figsize: tuple[float, float] = FIGSIZE) -> Figure:
    """The empty-state figure: the title and a centred message such as "No evaluable subjects".

    Used whenever a figure function has nothing to draw, so a report still shows the figure slot
    and says why it is empty.
    """
    fig = new_figure(figsize)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=12,
        color=REFERENCE_COLOR,
        gid="empty-state",
    )
    return fig


def is_empty_figure(fig: Figure) -> bool:
    """True when `fig` is an empty-state figure made by `empty_figure`."""
    return any(t.get_gid() == "empty-state" for ax in fig.axes for t in ax.texts)


# --------------------------------------------------------------------------- formatting


def fmt_number(value: float, digits: int = 1) -> str:
    """A number with `digits` decimals, or "NE" (not estimable) when missing or infinite."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "NE"
    if v != v or v in (float("inf"), float("-inf")):
        return "NE"
    return f"{v:.{digits}f}"


def fmt_estimate_ci(estimate: float, lower: float, upper: float, digits: int = 1) -> str:
    """ "est (lower–upper)" with NE for missing values, e.g. "8.3 (5.1–NE)"."""
    return (
        f"{fmt_number(estimate, digits)} "
        f"({fmt_number(lower, digits)}\N{EN DASH}{fmt_number(upper, digits)})"
    )


# --------------------------------------------------------------------------- saving


def save_figure(
    fig: Figure, stem: str | os.PathLike[str], *, formats: Sequence[str] = ("png", "svg")
) -> list[Path]:
    """Write `fig` as ``<stem>.png`` and ``<stem>.svg``, byte-identical across runs.

    The only I/O in `trialflow.figures`. PNG at `PNG_DPI` without the "Software" entry; SVG
    without "Date", "Creator", "Type" and "Format", with ``svg.hashsalt`` fixed and text as
    paths (see the module docstring). Neither format has a CreationDate (that is PDF only).
    The layout is solved once, for the first format, and reused by the next. The parent
    folder must exist. `formats` may restrict the output, e.g. ``("png",)``.
    Returns the written paths, PNG first.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    engine = fig.get_layout_engine()
    try:
        with style_context():
            for ext in formats:
                if ext == "png":
                    meta, dpi = PNG_METADATA, PNG_DPI
                elif ext == "svg":
                    meta, dpi = SVG_METADATA, 72
                else:
                    raise ValueError(f"save_figure writes png and svg only, got {ext!r}")
                path = stem.with_name(stem.name + "." + ext)
                fig.savefig(path, format=ext, dpi=dpi, metadata=dict(meta))
                written.append(path)
                # The layout is done: the next format draws the same positions instead of
                # solving the constrained layout again.
                if engine is not None and fig.get_layout_engine() is engine:
                    fig.set_layout_engine("none")
    finally:
        if engine is not None and fig.get_layout_engine() is not engine:
            fig.set_layout_engine(engine)
    return written
