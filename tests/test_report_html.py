"""End-to-end: the trial and cutoff-comparison HTML reports rendered by the workflow.

One temporary project runs the irinotecan trial (both bundled cutoffs) up to the reports.
Its first delivery is modified so that one AE preferred term is `<script>alert(1)</script>`:
the report must show that text, never run it. The report rules are then forced to run again
and every report file must come out byte-identical.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from tests.conftest import REPO, make_project, run_snakemake

pytestmark = pytest.mark.slow

TRIAL = "irinotecan"
CUTOFFS = ["2020-06-30", "2021-12-31"]
SCRIPT_TERM = "<script>alert(1)</script>"
SECTIONS = [
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
REPORT_RULES = ["report", "comparison"]


def _report(project: Path, cutoff: str) -> Path:
    return project / "results" / TRIAL / cutoff / "report" / f"{TRIAL}_{cutoff}.html"


def _outputs(project: Path) -> list[Path]:
    files = [
        project / "results" / TRIAL / "cutoffs.html",
        project / "results" / TRIAL / "cutoffs.ipynb",
    ]
    for c in CUTOFFS:
        files += [_report(project, c), _report(project, c).with_suffix(".ipynb")]
    return files


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("reports")
    text = (REPO / "config" / "trials" / f"{TRIAL}.yaml").read_text()
    make_project(tmp, {f"{TRIAL}.yaml": text})
    shutil.copytree(REPO / "resources" / "raw" / TRIAL, tmp / "resources" / "raw" / TRIAL)
    ae = tmp / "resources" / "raw" / TRIAL / "2020-07-20" / "ae.csv"
    raw = ae.read_text(encoding="utf-8")
    assert ",Hair loss,ALOPECIA," in raw
    ae.write_text(
        raw.replace(",Hair loss,ALOPECIA,", f",Hair loss,{SCRIPT_TERM},"), encoding="utf-8"
    )
    targets = [str(p.relative_to(tmp)) for p in _outputs(tmp)]
    result = run_snakemake(tmp, "--cores", "2", *targets, timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    return tmp


@pytest.fixture(scope="module")
def first_bytes(project) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in _outputs(project)}


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _row_value(soup: BeautifulSoup, table_id: str, label_start: str) -> str:
    for tr in soup.select(f"#{table_id} tbody tr"):
        cells = [c.get_text() for c in tr.find_all("td")]
        if cells and cells[0].startswith(label_start):
            return cells[-1]
    raise AssertionError(f"no row starting {label_start!r} in #{table_id}")


def _ard(project: Path, cutoff: str) -> pd.DataFrame:
    return pd.read_csv(
        project / "results" / TRIAL / cutoff / "ard" / "efficacy.csv",
        dtype=str,
        keep_default_na=False,
    )


def _stat(ard: pd.DataFrame, analysis: str, parameter: str, stat: str) -> float:
    rows = ard[
        (ard.analysis == analysis)
        & (ard.parameter == parameter)
        & (ard.group_var == "")
        & (ard.stat == stat)
    ]
    assert len(rows) == 1
    return float(rows.value.iloc[0])


def test_every_report_exists_with_every_section(project, first_bytes):
    for cutoff in CUTOFFS:
        soup = _soup(_report(project, cutoff))
        headings = [h.get_text().rstrip("¶").strip() for h in soup.find_all("h2")]
        assert headings == SECTIONS
        assert soup.find("h1").get_text() == "Irinotecan for Advanced and Metastatic Breast Cancer"
        # title block: registry id, cutoff, delivery folder; provenance hashes, no wall-clock time
        text = soup.get_text()
        assert "NCT03562390" in text and cutoff in text and "resources/raw/irinotecan/" in text
        assert "resources/raw/irinotecan/" in soup.select_one("#tf-provenance-inputs").get_text()
        assert soup.select_one('a[href="../data_issues.csv"]') is not None
    cut = _soup(project / "results" / TRIAL / "cutoffs.html")
    assert [h.get_text().rstrip("¶").strip() for h in cut.find_all("h2")] == [
        "Results by cutoff",
        "Kaplan–Meier curves by cutoff",
        "Changes between deliveries",
    ]


def test_nothing_is_loaded_from_outside_and_figures_are_embedded(project, first_bytes):
    for path in [_report(project, c) for c in CUTOFFS] + [
        project / "results" / TRIAL / "cutoffs.html"
    ]:
        soup = _soup(path)
        for tag in soup.find_all(["script", "link", "img", "iframe"]):
            for attr in ("src", "href"):
                value = tag.get(attr) or ""
                assert not value.lower().startswith(("http://", "https://", "//")), (
                    path.name,
                    tag.name,
                    value,
                )
        imgs = soup.find_all("img")
        assert imgs and all(i["src"].startswith("data:image/png;base64,") for i in imgs)
        assert "@import" not in path.read_text(encoding="utf-8")
    # figures: 3 KM + waterfall, spider, swimmer + 2 forest + one KM per subgroup (2)
    assert len(_soup(_report(project, CUTOFFS[1])).find_all("img")) == 10


def test_orr_and_median_pfs_equal_the_ard(project, first_bytes):
    for cutoff in CUTOFFS:
        ard, soup = _ard(project, cutoff), _soup(_report(project, cutoff))
        n, N = _stat(ard, "orr", "CRSP", "n"), _stat(ard, "orr", "CRSP", "N")
        est, lo, hi = (_stat(ard, "orr", "CRSP", s) for s in ("estimate", "lower", "upper"))
        expected = f"{n:.0f}/{N:.0f} ({100 * est:.1f}%; 95% CI {100 * lo:.1f}%–{100 * hi:.1f}%)"
        assert _row_value(soup, "tf-summary", "Objective response rate (confirmed)") == expected
        med, mlo, mhi = (
            _stat(ard, "km", "PFS", s) for s in ("median", "median_lower", "median_upper")
        )
        assert _row_value(soup, "tf-km-pfs", "Median, months") == f"{med:.1f} ({mlo:.1f}–{mhi:.1f})"
        assert _row_value(soup, "tf-summary", "Median progression-free survival").startswith(
            f"{med:.1f} months (95% CI {mlo:.1f}–{mhi:.1f})"
        )
        # the design decision sentence of the ARD is printed verbatim
        sentence = ard[(ard.analysis == "design") & (ard.stat == "sentence")].value.iloc[0]
        assert sentence in soup.select_one(".tf-decision").get_text()


def test_script_in_an_ae_term_is_shown_as_text(project, first_bytes):
    path = _report(project, CUTOFFS[0])
    html = path.read_text(encoding="utf-8")
    # ingest upper-cases AEDECOD (controlled terminology); HTML tag names ignore case
    assert "<script" not in html.lower()
    soup = _soup(path)
    assert soup.find_all("script") == []
    assert SCRIPT_TERM.upper() in soup.select_one("#tf-soc-pt").get_text()
    # the later delivery holds the real term again: the comparison lists AEDECOD as changed
    cut = _soup(project / "results" / TRIAL / "cutoffs.html")
    variables = [
        tr.find_all("td")[1].get_text() for tr in cut.select("#tf-changed-vars-0 tbody tr")
    ]
    assert "AEDECOD" in variables


def test_reports_are_byte_identical_when_rendered_again(project, first_bytes):
    result = run_snakemake(
        project,
        "--cores",
        "2",
        "--forcerun",
        *REPORT_RULES,
        "--",
        *[str(p.relative_to(project)) for p in _outputs(project)],
    )
    assert result.returncode == 0, result.stderr[-4000:]
    for path, before in first_bytes.items():
        assert path.read_bytes() == before, path.name
