"""The portfolio index page: key results and decisions read from each analysis's ARD, links to
the reports, escaped text and nothing loaded from outside."""

from __future__ import annotations

import re

import pandas as pd

from trialflow.ard.efficacy import km_ard, response_rates_ard
from trialflow.ard_table import ard_rows, concat_ard
from trialflow.report.index import IndexEntry, index_html


def _efficacy(n: int, x: int, median: float, decision: str) -> pd.DataFrame:
    common = {"population": "EFFFL", "dataset": "ADRS", "filter": ""}
    return concat_ard(
        [
            ard_rows(
                {"n": x, "N": n, "estimate": x / n, "lower": 0.1, "upper": 0.5, "conf_level": 0.95},
                analysis="orr",
                parameter="CRSP",
                derivation=response_rates_ard,
                **common,
            ),
            ard_rows(
                {
                    "n": n,
                    "events": 5,
                    "median": median,
                    "median_lower": 2.0,
                    "median_upper": "",
                    "conf_level": 0.95,
                },
                analysis="km",
                parameter="PFS",
                derivation=km_ard,
                **common,
            ),
            ard_rows(
                {"sentence": decision},
                analysis="design",
                parameter="CRSP",
                derivation=response_rates_ard,
                **common,
            ),
        ]
    ).astype(str)


def _entry(trial: str, cutoff: str, **kw) -> IndexEntry:
    return IndexEntry(
        trial_id=trial,
        title=kw.get("title", f"Trial {trial}"),
        cutoff=cutoff,
        efficacy=_efficacy(kw.get("n", 20), kw.get("x", 5), kw.get("median", 3.25), "go"),
        confirmation_required=True,
        report_href=f"{trial}/{cutoff}/report/{trial}_{cutoff}.html",
    )


def test_rows_carry_the_ard_numbers_and_link_to_the_reports():
    page = index_html(
        [_entry("a", "2020-01-31"), _entry("a", "2021-01-31", x=8)],
        trial_pages={"a": "a/cutoffs.html"},
    )
    # 5/20 = 25.0%, 8/20 = 40.0%; CI 10.0%–50.0% as in the ARD; median 3.25 -> 3.2 (half even)
    assert "5/20 (25.0%; 95% CI 10.0%–50.0%)" in page
    assert "8/20 (40.0%; 95% CI 10.0%–50.0%)" in page
    assert "3.2 months (95% CI 2.0–NE)" in page
    assert '<a href="a/2020-01-31/report/a_2020-01-31.html">2020-01-31</a>' in page
    assert '<a href="a/cutoffs.html">' in page
    assert page.index("2020-01-31") < page.index("2021-01-31")


def test_text_is_escaped_and_nothing_is_loaded_from_outside():
    page = index_html([_entry("b", "2020-01-31", title="<script>x</script>")], trial_pages={})
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)


def test_same_inputs_same_bytes():
    entries = [_entry("a", "2020-01-31"), _entry("b", "2020-06-30")]
    assert index_html(entries, trial_pages={}) == index_html(list(entries), trial_pages={})
