"""Property: on generated messy deliveries every raw row is accounted for (hypothesis).

Mess: exact duplicates, case/white-space variants of coded values, records of unknown
subjects, dates after the cutoff, partial dates, results in cm, deaths before assessments.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_ingest import REQUIRED_FILLERS
from trialflow import io
from trialflow.ingest.delivery import ingest_delivery

REPO = Path(__file__).resolve().parents[1]
SPECS = io.read_specs(sorted((REPO / "workflow" / "schemas" / "sdtm").glob("*.yaml")))
CUTOFF = pd.Timestamp("2020-06-30")

dates = st.dates(
    min_value=pd.Timestamp("2019-10-01").date(), max_value=pd.Timestamp("2020-12-31").date()
)


@st.composite
def dtc(draw, on_or_after=None):
    last = pd.Timestamp("2020-12-31").date()
    base = dates if on_or_after is None else st.dates(on_or_after, last)
    d = draw(base).isoformat()
    return draw(st.sampled_from([d, d, d[:7], d[:4]]))


def variant(draw, code: str) -> str:
    return draw(st.sampled_from([code, code.lower(), f" {code}", f"{code.title()} "]))


@st.composite
def messy_delivery(draw):
    n = draw(st.integers(1, 5))
    subjects = [f"S-{i:03d}" for i in range(n)]
    others = subjects + ["S-999"]  # an unknown subject
    dm_rows = []
    for s in subjects:
        consent = draw(dates)
        # death on or after consent: a death before consent is an input error (check_death_dates)
        death = draw(st.one_of(st.just(""), dtc(on_or_after=consent)))
        c = consent.isoformat()
        dm_rows.append(
            {"USUBJID": s, "RFICDTC": draw(st.sampled_from([c, c, c[:7], c[:4]])), "DTHDTC": death,
             "DTHFL": "Y" if death else "",
             "SEX": variant(draw, draw(st.sampled_from(["M", "F"])))}
        )  # fmt: skip

    def rows(make, k):
        out = [make(i) for i in range(k)]
        dups = draw(st.lists(st.integers(0, max(k - 1, 0)), max_size=3)) if k else []
        return out + [dict(out[i]) for i in dups]

    def subj():
        return draw(st.sampled_from(others))

    frames = {
        "dm": dm_rows,
        "ex": rows(lambda i: {"USUBJID": subj(), "EXSEQ": str(i), "EXTRT": "D",
                              "EXSTDTC": draw(dtc()), "EXENDTC": draw(dtc())},
                   draw(st.integers(0, 8))),
        "ae": rows(lambda i: {"USUBJID": subj(), "AESEQ": str(i), "AETERM": "X", "AEDECOD": "X",
                              "AESER": variant(draw, "N"), "AESTDTC": draw(dtc()),
                              "AEENDTC": draw(st.one_of(st.just(""), dtc()))},
                   draw(st.integers(0, 8))),
        "ds": rows(lambda i: {"USUBJID": subj(), "DSSEQ": str(i), "DSDECOD": "death",
                              "DSSTDTC": draw(dtc())}, draw(st.integers(0, 4))),
        "tu": rows(lambda i: {"USUBJID": subj(), "TUSEQ": str(i), "TULNKID": "T01",
                              "TUSTRESC": variant(draw, "TARGET"), "TUDTC": draw(dtc())},
                   draw(st.integers(0, 5))),
        "tr": rows(lambda i: {"USUBJID": subj(), "TRSEQ": str(i), "TRLNKID": "T01",
                              "TRTESTCD": "LDIAM", "TRSTRESC": "2.5", "TRSTRESN": "2.5",
                              "TRSTRESU": draw(st.sampled_from(["mm", "cm", "MM", "mm "])),
                              "TRDTC": draw(dtc())}, draw(st.integers(0, 10))),
        "rs": rows(lambda i: {"USUBJID": subj(), "RSSEQ": str(i), "RSTESTCD": "OVRLRESP",
                              "RSSTRESC": variant(draw, draw(st.sampled_from(
                                  ["CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD", "CHECK"]))),
                              "RSDTC": draw(dtc())}, draw(st.integers(0, 8))),
    }  # fmt: skip
    out = {}
    for name, recs in frames.items():
        df = pd.DataFrame(recs, dtype=object)
        if df.empty:
            df = pd.DataFrame(columns=[c for c in _COLUMNS[name]], dtype=object)
        df.insert(0, "STUDYID", "P")
        df.insert(1, "DOMAIN", name.upper())
        if name == "dm":
            df["SUBJID"] = df["USUBJID"]
        for col, value in REQUIRED_FILLERS.get(name, {}).items():  # SDTMIG Required variables
            df[col] = value
        df["SRCROW"] = range(1, len(df) + 1)
        out[name] = df
    return out


_COLUMNS = {
    "dm": ["USUBJID", "RFICDTC", "DTHDTC", "DTHFL", "SEX"],
    "ex": ["USUBJID", "EXSEQ", "EXTRT", "EXSTDTC", "EXENDTC"],
    "ae": ["USUBJID", "AESEQ", "AETERM", "AEDECOD", "AESER", "AESTDTC", "AEENDTC"],
    "ds": ["USUBJID", "DSSEQ", "DSDECOD", "DSSTDTC"],
    "tu": ["USUBJID", "TUSEQ", "TULNKID", "TUSTRESC", "TUDTC"],
    "tr": ["USUBJID", "TRSEQ", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESN", "TRSTRESU", "TRDTC"],
    "rs": ["USUBJID", "RSSEQ", "RSTESTCD", "RSSTRESC", "RSDTC"],
}
EVENT_DATE = {"dm": "RFICDT", "ex": "EXSTDT", "ae": "AESTDT", "ds": "DSSTDT", "tu": "TUDT",
              "tr": "TRDT", "rs": "RSDT"}  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_delivery())
def test_every_row_accounted_for(raw):
    result = ingest_delivery(
        raw, SPECS, studyid="P", cutoff=CUTOFF.date(), source_names={k: k for k in raw}
    )
    summary = result.summary.set_index("domain")
    issues = result.issues
    for name, df in raw.items():
        dom = name.upper()
        raw_rows, kept, excluded = summary.loc[dom, ["raw_rows", "kept_rows", "excluded_rows"]]
        assert raw_rows == len(df)
        assert raw_rows == kept + excluded
        assert len(result.domains[name]) == kept
        # every excluded row (raw SRCROW not among the kept) has exactly one excluded issue
        missing = set(df["SRCROW"]) - set(result.domains[name]["SRCROW"])
        excl = issues[(issues["domain"] == dom) & (issues["action"] == "excluded")]
        assert sorted(int(r) for r in excl["row"]) == sorted(missing)
        # no kept record is dated after the cutoff (earliest possible day of its date)
        assert (result.domains[name][EVENT_DATE[name]].dropna() <= CUTOFF).all()
        if name == "dm":
            assert (result.domains[name]["DTHDT"].dropna() <= CUTOFF).all()
    # kept coded values are standard
    assert set(result.domains["rs"]["RSSTRESC"].dropna()) <= {
        "CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD",
    }  # fmt: skip
    assert set(result.domains["tr"]["TRSTRESU"].dropna()) <= {"mm"}
    assert set(result.domains["tr"]["TRSTRESN"].dropna()) <= {2.5, 25.0}
