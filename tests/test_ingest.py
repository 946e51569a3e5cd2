"""Ingest stage: rules on a small hand-made delivery, and every bad-input message.

The delivery (cutoff 2020-06-30, STUDYID TST):
- S-001 dies 2020-03-15; S-002 alive; S-003 consents 2020-07-05 (after the cutoff).
Expected counts are worked out by hand next to each assertion.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from trialflow import io
from trialflow.errors import InputError
from trialflow.ingest.delivery import ingest_delivery

REPO = Path(__file__).resolve().parents[1]
SPECS = io.read_specs(sorted((REPO / "workflow" / "schemas" / "sdtm").glob("*.yaml")))
CUTOFF = "2020-06-30"


# SDTMIG v3.4 Required variables these tables do not otherwise need, with plain values
# (constant per domain, so no rule below depends on them).
REQUIRED_FILLERS = {
    "dm": {"SITEID": "01", "COUNTRY": "USA"},
    "ds": {"DSTERM": "DISPOSITION EVENT"},
    "tu": {"TUTESTCD": "TUMIDENT", "TUTEST": "Tumor Identification"},
    "tr": {"TRTEST": "Tumor Assessment"},
    "rs": {"RSTEST": "Response"},
}


def table(domain: str, columns: list[str], rows: list[list[str]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns, dtype=object)
    df.insert(0, "DOMAIN", domain.upper())
    df.insert(0, "STUDYID", "TST")
    if domain == "dm":
        df["SUBJID"] = df["USUBJID"]
    for col, value in REQUIRED_FILLERS.get(domain, {}).items():
        if col not in df.columns:
            df[col] = value
    return df


def delivery() -> dict[str, pd.DataFrame]:
    """A small messy delivery, all text as `read_domain` gives it."""
    dm = table(
        "dm",
        ["USUBJID", "RFICDTC", "RFSTDTC", "DTHDTC", "DTHFL", "SEX", "AGE", "BRTHDTC"],
        [
            ["S-001", "2020-01-02", "2020-01-05", "2020-03-15", "Y", "f", "61", "1959"],
            ["S-002", "2020-01-10", "2020-01-12", "2020-08-01", "Y", "M", "55", "1965-02"],
            ["S-003", "2020-07-05", "2020-07-06", "", "", "F", "70", ""],
        ],
    )
    ex = table(
        "ex",
        ["USUBJID", "EXSEQ", "EXTRT", "EXDOSE", "EXSTDTC", "EXENDTC"],
        [
            ["S-001", "1", "DRUG", "125", "2020-01-05", "2020-01-05"],
            ["S-002", "1", "DRUG", "125", "2020-01-12", "2020-06"],  # end imputed, capped
            ["S-002", "2", "DRUG", "100", "2020-06-20", "2020-07-10"],  # end capped at cutoff
            ["S-003", "1", "DRUG", "125", "2020-07-06", "2020-07-06"],  # after cutoff
        ],
    )
    ae = table(
        "ae",
        ["USUBJID", "AESEQ", "AETERM", "AEDECOD", "AETOXGR", "AESER", "AESTDTC", "AEENDTC"],
        [
            ["S-001", "1", "Diarrhoea", "DIARRHOEA", "2", "n", "2020-02", ""],
            ["S-001", "1", "Diarrhoea", "DIARRHOEA", "2", "n", "2020-02", ""],  # exact dup
            ["S-002", "1", "Nausea", "NAUSEA", "1", "N", "2020-07-02", ""],  # after cutoff
            ["S-099", "1", "Rash", "RASH", "1", "N", "2020-02-01", ""],  # unknown subject
        ],
    )
    ds = table(
        "ds",
        ["USUBJID", "DSSEQ", "DSDECOD", "DSSTDTC"],
        [
            ["S-001", "1", "death", "2020-03-15"],
            ["S-002", "1", "DEATH", "2020-08-01"],  # after cutoff
        ],
    )
    tu = table(
        "tu",
        ["USUBJID", "TUSEQ", "TULNKID", "TUSTRESC", "TUDTC"],
        [
            ["S-001", "1", "T01", "target", "2020-01-03"],
            ["S-002", "1", "T01", "TARGET", "2020-01-11"],
        ],
    )
    tr = table(
        "tr",
        ["USUBJID", "TRSEQ", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESN", "TRSTRESU", "TRDTC"],
        [
            ["S-001", "1", "T01", "LDIAM", "30", "30", "mm", "2020-01-03"],
            ["S-001", "2", "T01", "LDIAM", "2.5", "2.5", "cm", "2020-02-14"],  # -> 25 mm
            ["S-001", "3", "T01", "LDIAM", "20", "20", "mm", "2020-03-20"],  # after death
            ["S-002", "1", "T01", "LDIAM", "40", "40", "MM", "2020-01-11"],  # unit respelled
            ["S-002", "2", "T01", "LDIAM", "TOO SMALL TO MEASURE", "", "", "2020-02-22"],
        ],
    )
    rs = table(
        "rs",
        ["USUBJID", "RSSEQ", "RSTESTCD", "RSSTRESC", "RSDTC"],
        [
            ["S-001", "1", "OVRLRESP", " pr", "2020-02-14"],  # -> PR
            ["S-001", "2", "OVRLRESP", "PD", "2020-03"],  # partial, may be before death: kept
            ["S-002", "1", "OVRLRESP", "Non-cr/non-pd", "2020-02-22"],
            ["S-002", "2", "OVRLRESP", "CHECK", "2020-04-05"],  # unknown code -> excluded
            ["S-002", "3", "NEWLPROG", "yes", "2020-04-05"],  # -> Y
        ],
    )
    return {"dm": dm, "ex": ex, "ae": ae, "ds": ds, "tu": tu, "tr": tr, "rs": rs}


def run(raw: dict[str, pd.DataFrame], **kw):
    raw = {k: v.assign(SRCROW=range(1, len(v) + 1)) for k, v in raw.items()}
    names = {k: f"raw/{k}.csv" for k in raw}
    return ingest_delivery(
        raw, SPECS, studyid="TST", cutoff=CUTOFF, source_names=names, raw_dir="raw", **kw
    )


@pytest.fixture(scope="module")
def result():
    return run(delivery())


def issues_of(result, domain: str, action: str | None = None) -> pd.DataFrame:
    iss = result.issues[result.issues["domain"] == domain]
    return iss if action is None else iss[iss["action"] == action]


# ---------------------------------------------------------------------------- accounting


def test_summary_counts_by_hand(result):
    # DM: S-003 consented after cutoff -> 3 raw, 2 kept, 1 excluded
    # EX: S-003's dose is excluded (after cutoff, and S-003 not in cleaned DM) -> 4, 3, 1
    # AE: exact duplicate, after-cutoff and unknown subject -> 4, 1, 3
    # DS: S-002's death after cutoff -> 2, 1, 1
    # TU: 2, 2, 0; TR: after-death row -> 5, 4, 1; RS: CHECK -> 5, 4, 1
    # SUPPDM and CM absent -> zeros
    expected = {
        "DM": (3, 2, 1),
        "SUPPDM": (0, 0, 0),
        "EX": (4, 3, 1),
        "AE": (4, 1, 3),
        "DS": (2, 1, 1),
        "TU": (2, 2, 0),
        "TR": (5, 4, 1),
        "RS": (5, 4, 1),
        "CM": (0, 0, 0),
    }
    got = {
        r.domain: (r.raw_rows, r.kept_rows, r.excluded_rows)
        for r in result.summary.itertuples(index=False)
    }
    assert got == expected
    assert list(result.summary["domain"]) == list(expected)


def test_every_excluded_row_has_one_issue(result):
    for r in result.summary.itertuples(index=False):
        excl = issues_of(result, r.domain, "excluded")
        assert len(excl) == r.excluded_rows
        assert excl["row"].is_unique


def test_exclusion_reasons(result):
    ae = issues_of(result, "AE", "excluded").set_index("row")["reason"]
    assert ae["2"] == "exact duplicate of row 1"
    assert ae["3"].startswith("dated after the data cutoff")
    assert ae["4"] == "USUBJID not in DM"
    ex = issues_of(result, "EX", "excluded").set_index("row")["reason"]
    assert ex["4"] == "subject excluded from DM (enrolled after the data cutoff)"
    tr = issues_of(result, "TR", "excluded").set_index("row")["reason"]
    assert tr["3"] == "assessment dated after the subject's death (2020-03-15)"


def test_absent_optional_domain_has_spec_columns(result):
    cm = result.domains["cm"]
    assert len(cm) == 0
    assert {"USUBJID", "CMTRT", "CMSTDTC", "CMSTDT", "CMSTDTF", "SRCROW"} <= set(cm.columns)
    assert str(cm["CMSTDT"].dtype) == "datetime64[ns]"


# ---------------------------------------------------------------------------- rules


def test_controlled_terminology_standardized(result):
    rs = result.domains["rs"].set_index("SRCROW")
    assert rs.loc[1, "RSSTRESC"] == "PR"
    assert rs.loc[3, "RSSTRESC"] == "NON-CR/NON-PD"
    assert rs.loc[5, "RSSTRESC"] == "Y"
    assert 4 not in rs.index  # CHECK excluded
    changed = issues_of(result, "RS", "changed")
    assert set(changed["row"]) == {"1", "3", "5"}
    assert result.domains["dm"].set_index("USUBJID").loc["S-001", "SEX"] == "F"
    assert result.domains["ds"]["DSDECOD"].tolist() == ["DEATH"]


def test_units_cm_to_mm(result):
    tr = result.domains["tr"].set_index("SRCROW")
    # 2.5 cm x 10 = 25 mm
    assert tr.loc[2, "TRSTRESN"] == 25.0
    assert tr.loc[2, "TRSTRESC"] == "25"
    assert tr.loc[2, "TRSTRESU"] == "mm"
    assert tr.loc[4, "TRSTRESU"] == "mm"  # "MM" respelled
    assert pd.isna(tr.loc[5, "TRSTRESN"]) and tr.loc[5, "TRSTRESC"] == "TOO SMALL TO MEASURE"
    conv = issues_of(result, "TR", "changed").set_index("row")
    assert conv.loc["2", "original_value"] == "2.5 cm"
    assert conv.loc["2", "new_value"] == "25 mm"


def test_partial_dates_imputed_with_flags(result):
    ae = result.domains["ae"]
    assert ae["AESTDTC"].tolist() == ["2020-02"]  # original text kept
    assert ae["AESTDT"].tolist() == [pd.Timestamp("2020-02-01")]
    assert ae["AESTDTF"].tolist() == ["D"]
    dm = result.domains["dm"].set_index("USUBJID")
    assert dm.loc["S-001", "BRTHDT"] == pd.Timestamp("1959-01-01")
    assert dm.loc["S-001", "BRTHDTF"] == "M"
    ex = result.domains["ex"].set_index("SRCROW")
    # "2020-06" as an end date: the latest day is 2020-06-30, the cutoff itself
    assert ex.loc[2, "EXENDT"] == pd.Timestamp("2020-06-30")
    assert ex.loc[2, "EXENDTF"] == "D"
    assert pd.isna(ex.loc[1, "EXENDTF"])


def test_cutoff_caps_and_clears(result):
    ex = result.domains["ex"].set_index("SRCROW")
    assert ex.loc[3, "EXENDTC"] == CUTOFF
    assert ex.loc[3, "EXENDT"] == pd.Timestamp(CUTOFF)
    dm = result.domains["dm"].set_index("USUBJID")
    assert pd.isna(dm.loc["S-002", "DTHDTC"]) and pd.isna(dm.loc["S-002", "DTHFL"])
    assert pd.isna(dm.loc["S-002", "DTHDT"])
    assert dm.loc["S-001", "DTHDT"] == pd.Timestamp("2020-03-15")
    changed = issues_of(result, "DM", "changed")
    assert set(changed.loc[changed["usubjid"] == "S-002", "variable"]) == {"DTHDTC", "DTHFL"}


def test_no_kept_record_after_cutoff(result):
    cut = pd.Timestamp(CUTOFF)
    for name, col in [("ex", "EXSTDT"), ("ae", "AESTDT"), ("ds", "DSSTDT"), ("tr", "TRDT")]:
        assert (result.domains[name][col].dropna() <= cut).all(), name


def test_partial_assessment_date_in_death_month_is_kept(result):
    # RSDTC "2020-03" may be on or before death on 2020-03-15: not certainly after death
    rs = result.domains["rs"]
    assert 2 in set(rs["SRCROW"])


def test_conflicting_key_duplicates_flagged_not_excluded():
    raw = delivery()
    ae = raw["ae"]
    raw["ae"] = pd.concat([ae.iloc[[0]], ae.iloc[[0]].assign(AETOXGR="3")], ignore_index=True)
    res = run(raw)
    assert len(res.domains["ae"]) == 2
    flagged = issues_of(res, "AE", "flagged")
    assert set(flagged["row"]) == {"1", "2"}


def test_outputs_sorted_and_typed(result):
    tr = result.domains["tr"]
    assert list(tr["USUBJID"]) == sorted(tr["USUBJID"])
    assert str(tr["TRSTRESN"].dtype) == "float64"
    assert str(tr["TRDT"].dtype) == "datetime64[ns]"
    assert str(tr["SRCROW"].dtype) == "int64"
    assert result.issues.columns.tolist() == [
        "stage", "domain", "usubjid", "seq", "row", "variable", "original_value",
        "new_value", "action", "reason",
    ]  # fmt: skip


# ---------------------------------------------------------------------------- bad input


def test_required_domain_missing():
    raw = delivery()
    del raw["tr"]
    with pytest.raises(InputError) as err:
        run(raw)
    assert str(err.value) == "raw: required domain TR missing (expected tr.csv or tr.xpt)"


def test_required_variable_missing():
    raw = delivery()
    raw["ae"] = raw["ae"].drop(columns="AETERM")
    with pytest.raises(InputError) as err:
        run(raw)
    assert str(err.value) == "raw/ae.csv, variable AETERM: required variable missing"


@pytest.mark.parametrize(
    ("domain", "variable"),
    [
        ("dm", "SUBJID"),
        ("dm", "COUNTRY"),
        ("ds", "DSTERM"),
        ("tu", "TUTESTCD"),
        ("tr", "TRTESTCD"),
        ("tr", "TRSEQ"),
        ("rs", "RSTEST"),
        ("rs", "DOMAIN"),
    ],
)
def test_every_sdtmig_required_variable_is_mandatory(domain, variable):
    # SDTMIG v3.4 Req variables: identifiers, the topic (--TESTCD) and its name (--TEST)
    raw = delivery()
    raw[domain] = raw[domain].drop(columns=variable)
    with pytest.raises(InputError) as err:
        run(raw)
    assert str(err.value) == f"raw/{domain}.csv, variable {variable}: required variable missing"


def _absent(res, domain: str) -> pd.DataFrame:
    iss = issues_of(res, domain, "query")
    return iss[iss["reason"].str.startswith("Expected variable (SDTMIG v3.4) absent")]


def test_absent_expected_variables_are_one_issue_each(result):
    # The hand-made TU has USUBJID, TUSEQ, TULNKID, TUSTRESC, TUDTC (+ STUDYID, DOMAIN,
    # TUTESTCD, TUTEST). TU's Expected variables are TULNKID, TUORRES, TUSTRESC, TULOC,
    # TUMETHOD, VISITNUM, TUDTC: absent are TUORRES, TULOC, TUMETHOD, VISITNUM.
    tu = _absent(result, "TU")
    assert sorted(tu["variable"]) == ["TULOC", "TUMETHOD", "TUORRES", "VISITNUM"]
    assert (tu[["usubjid", "seq", "row", "original_value", "new_value"]] == "").all().all()
    assert (tu["reason"] == "Expected variable (SDTMIG v3.4) absent from tu.csv; "
            "added as all-missing").all()  # fmt: skip
    # RS has USUBJID, RSSEQ, RSTESTCD, RSSTRESC, RSDTC; Expected: RSCAT, RSORRES, RSSTRESC,
    # VISITNUM, RSDTC -> RSCAT, RSORRES, VISITNUM absent
    assert sorted(_absent(result, "RS")["variable"]) == ["RSCAT", "RSORRES", "VISITNUM"]
    # absent optional domains (SUPPDM, CM) are not files: no variable issues
    assert _absent(result, "CM").empty and _absent(result, "SUPPDM").empty


def test_delivery_without_expected_and_permissible_variables_runs():
    # TUDTC, VISITNUM and the evaluator variables may be absent (SDTMIG Exp/Perm): the
    # delivery is read, the columns are added all-missing, and each absent Expected
    # variable is one query; absent Permissible ones (--EVAL, --EVALID, --ACPTFL) are not.
    raw = delivery()
    raw["tu"] = raw["tu"].drop(columns="TUDTC")
    res = run(raw)
    tu = res.domains["tu"]
    assert len(tu) == 2  # no TU row is lost
    for col in ("TUDTC", "TUDT", "TUDTF", "VISITNUM", "TUEVAL", "TUEVALID", "TUACPTFL"):
        assert col in tu.columns and tu[col].isna().all(), col
    assert sorted(_absent(res, "TU")["variable"]) == [
        "TUDTC", "TULOC", "TUMETHOD", "TUORRES", "VISITNUM",
    ]  # fmt: skip
    logged = set(res.issues["variable"])
    assert not logged & {"TUEVAL", "TUEVALID", "TUACPTFL", "TREVAL", "RSEVAL", "RSACPTFL"}
    summary = res.summary.set_index("domain")
    assert summary.loc["TU", "kept_rows"] == 2


def test_spec_without_core_designation_is_an_error(tmp_path):
    spec = tmp_path / "ae.yaml"
    spec.write_text(
        "domain: AE\nvariables:\n  STUDYID: {core: Req, type: char}\n  AETERM: {type: char}\n"
    )
    with pytest.raises(InputError) as err:
        io.read_specs([spec])
    assert str(err.value) == (
        f"{spec}, variable AETERM: variable without an SDTMIG core designation "
        "(expected core: Req, Exp or Perm)"
    )


def test_every_spec_variable_has_a_core_designation():
    for name, spec in SPECS.items():
        for key, entry in spec["variables"].items():
            if "variable" not in entry:
                assert entry["core"] in ("Req", "Exp", "Perm"), (name, key)


def test_non_numeric_value_in_numeric_variable():
    raw = delivery()
    raw["ex"].loc[1, "EXDOSE"] = "12a"
    with pytest.raises(InputError) as err:
        run(raw)
    assert str(err.value) == (
        "raw/ex.csv, row 2, USUBJID S-002, variable EXDOSE: non-numeric value '12a' in a "
        "numeric variable (expected a number or empty)"
    )


def test_studyid_mismatch():
    raw = delivery()
    raw["rs"].loc[2, "STUDYID"] = "OTHER"
    with pytest.raises(InputError) as err:
        run(raw)
    assert str(err.value) == (
        "raw/rs.csv, row 3, variable STUDYID: STUDYID is 'OTHER', not the trial's (expected TST)"
    )


@pytest.mark.parametrize("bad", ["2020-13-45", "yesterday", "2021-02-29"])
def test_unparseable_date_is_an_error(bad):
    raw = delivery()
    raw["ae"].loc[0, "AESTDTC"] = bad
    with pytest.raises(InputError) as err:
        run(raw)
    assert str(err.value) == (
        f"raw/ae.csv, row 1, USUBJID S-001, variable AESTDTC: date '{bad}' cannot be parsed "
        "(expected ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY)"
    )


def test_unparseable_non_essential_date_is_a_query():
    raw = delivery()
    raw["dm"].loc[1, "BRTHDTC"] = "sometime"
    res = run(raw)
    q = issues_of(res, "DM", "query")
    q = q[q["row"] != ""]  # the absent Expected variables are queries without a row
    assert q[["row", "variable", "original_value"]].values.tolist() == [
        ["2", "BRTHDTC", "sometime"]
    ]
    assert pd.isna(res.domains["dm"].set_index("USUBJID").loc["S-002", "BRTHDT"])


def test_conflicting_dm_duplicate_is_an_error():
    raw = delivery()
    raw["dm"] = pd.concat([raw["dm"], raw["dm"].iloc[[0]].assign(AGE="62")], ignore_index=True)
    with pytest.raises(InputError) as err:
        run(raw)
    assert str(err.value).startswith("raw/dm.csv, row 4, USUBJID S-001, variable USUBJID:")


def test_unknown_code_with_error_policy():
    raw = delivery()
    raw["tr"].loc[0, "DOMAIN"] = "TU"
    with pytest.raises(InputError, match=r"raw/tr.csv, row 1, USUBJID S-001, variable DOMAIN"):
        run(raw)


def test_unconvertible_unit_is_an_error():
    raw = delivery()
    raw["tr"].loc[0, "TRSTRESU"] = "in"
    with pytest.raises(InputError, match=r"row 1, USUBJID S-001, variable TRSTRESU: unit 'in'"):
        run(raw)


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(data)
    return p


def test_empty_file(tmp_path):
    p = write(tmp_path, "ae.csv", b"")
    with pytest.raises(InputError) as err:
        io.read_domain(p, name="raw/ae.csv")
    assert str(err.value) == "raw/ae.csv: the file is empty"


def test_not_utf8(tmp_path):
    p = write(tmp_path, "ae.csv", "USUBJID,AETERM\nS-001,Übelkeit\n".encode("latin-1"))
    with pytest.raises(InputError) as err:
        io.read_domain(p, name="raw/ae.csv")
    assert str(err.value) == (
        "raw/ae.csv: not UTF-8 text (invalid byte 0xdc on line 2) (expected UTF-8 encoded CSV)"
    )


def test_not_an_xpt(tmp_path):
    p = write(tmp_path, "ae.xpt", b"this is not a transport file\n" * 20)
    with pytest.raises(InputError, match=r"^raw/ae.xpt: cannot be read as SAS XPT"):
        io.read_domain(p, name="raw/ae.xpt")


def test_binary_csv(tmp_path):
    p = write(tmp_path, "ae.csv", b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(InputError, match=r"^raw/ae.csv: not a text file"):
        io.read_domain(p, name="raw/ae.csv")


def test_wrong_delimiter(tmp_path):
    p = write(tmp_path, "ae.csv", b"STUDYID;USUBJID\nTST;S-001\n")
    with pytest.raises(InputError) as err:
        io.read_domain(p, name="raw/ae.csv")
    assert str(err.value) == (
        "raw/ae.csv: wrong delimiter: the header is one column containing ';' "
        "(expected comma-separated values)"
    )


def test_ragged_row(tmp_path):
    p = write(tmp_path, "ae.csv", b"A,B\n1,2\n1,2,3\n")
    with pytest.raises(InputError, match=r"^raw/ae.csv: line 3 has 3 fields but the header has 2"):
        io.read_domain(p, name="raw/ae.csv")


# ---------------------------------------------------------------------------- the script


def load_script():
    path = REPO / "workflow" / "scripts" / "ingest.py"
    spec = importlib.util.spec_from_file_location("ingest_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def smk_for(tmp_path: Path, raw_dir: Path) -> SimpleNamespace:
    out = tmp_path / "out"
    domains = ["dm", "suppdm", "ex", "ae", "ds", "tu", "tr", "rs", "cm"]
    return SimpleNamespace(
        input=SimpleNamespace(
            raw=sorted(str(p) for p in raw_dir.iterdir()),
            specs=sorted(str(p) for p in (REPO / "workflow/schemas/sdtm").glob("*.yaml")),
        ),
        params=SimpleNamespace(raw_dir=str(raw_dir), studyid="TST", cutoff=CUTOFF, trial="t"),
        output=SimpleNamespace(
            sdtm=[str(out / "sdtm" / f"{d}.parquet") for d in domains],
            issues=str(out / "issues" / "ingest.csv"),
            summary=str(out / "ingest_summary.csv"),
        ),
        log=[str(tmp_path / "ingest.log")],
    )


def write_raw(folder: Path, frames: dict[str, pd.DataFrame]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        df.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")


def test_script_writes_outputs_deterministically(tmp_path):
    script = load_script()
    write_raw(tmp_path / "raw", delivery())
    smk = smk_for(tmp_path, tmp_path / "raw")
    script.main(smk)
    first = {p: Path(p).read_bytes() for p in [*smk.output.sdtm, smk.output.issues]}
    summary = pd.read_csv(smk.output.summary)
    assert (summary["raw_rows"] == summary["kept_rows"] + summary["excluded_rows"]).all()
    script.main(smk)
    assert {p: Path(p).read_bytes() for p in first} == first
    assert len(io.read_parquet(smk.output.sdtm[0])) == 2  # DM kept rows


def test_script_bad_input_exits_with_one_line(tmp_path, capsys):
    script = load_script()
    frames = delivery()
    del frames["rs"]
    write_raw(tmp_path / "raw", frames)
    smk = smk_for(tmp_path, tmp_path / "raw")
    from trialflow.scripting import run_script

    with pytest.raises(SystemExit) as exc:
        run_script(script.main, smk)
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    expected = f"{tmp_path / 'raw'}: required domain RS missing (expected rs.csv or rs.xpt)"
    assert err[-1] == f"trialflow: error: {expected}"
    assert "Traceback" not in "\n".join(err)


# ---------------------------------------------------------------------------- hostile input
# (found by the corpus in tests/corpus/: each was a silent acceptance before)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [("-5", "mm", "-5 mm"), ("-0.5", "cm", "-5 mm")],  # -0.5 cm x 10 = -5 mm
)
def test_negative_diameter_is_an_error(value, unit, shown):
    raw = delivery()
    raw["tr"].loc[0, ["TRSTRESC", "TRSTRESN", "TRSTRESU"]] = [value, value, unit]
    with pytest.raises(InputError) as err:
        run(raw)
    assert str(err.value) == (
        f"raw/tr.csv, row 1, USUBJID S-001, variable TRSTRESN: value {shown} is out of range "
        "(expected at least 0 mm and at most 1000 mm)"  # max from the TR spec
    )


def test_measurement_above_the_spec_max_is_an_error():
    specs = {**SPECS, "tr": {**SPECS["tr"], "units": {"TRSTRESN": {
        **SPECS["tr"]["units"]["TRSTRESN"], "max": 1000}}}}  # fmt: skip
    raw = delivery()
    raw["tr"].loc[3, ["TRSTRESC", "TRSTRESN"]] = ["5000", "5000"]
    raw = {k: v.assign(SRCROW=range(1, len(v) + 1)) for k, v in raw.items()}
    with pytest.raises(InputError) as err:
        ingest_delivery(raw, specs, studyid="TST", cutoff=CUTOFF, source_names={"tr": "tr.csv"})
    assert str(err.value) == (
        "tr.csv, row 4, USUBJID S-002, variable TRSTRESN: value 5000 mm is out of range "
        "(expected at least 0 mm and at most 1000 mm)"
    )
    # 100 cm is 1000 mm: on the bound, accepted
    raw["tr"].loc[3, ["TRSTRESC", "TRSTRESN", "TRSTRESU"]] = ["100", "100", "cm"]
    ingest_delivery(raw, specs, studyid="TST", cutoff=CUTOFF)


def test_text_longer_than_200_bytes_is_an_error():
    raw = delivery()
    raw["ae"].loc[2, "AETERM"] = "é" * 101  # 101 two-byte characters: 202 bytes
    with pytest.raises(InputError) as err:
        run(raw)
    assert str(err.value) == (
        "raw/ae.csv, row 3, USUBJID S-002, variable AETERM: text of 202 bytes (expected at "
        "most 200 bytes, the SAS XPT v5 limit for character values)"
    )
    raw["ae"].loc[2, "AETERM"] = "é" * 100  # exactly 200 bytes: accepted
    run(raw)


@pytest.mark.parametrize(
    ("death", "variable", "what"),
    [("1958-12", "BRTHDTC", "birth"), ("2019-12-31", "RFICDTC", "informed consent")],
)
def test_death_before_birth_or_consent_is_an_error(death, variable, what):
    # S-001 was born in 1959 (earliest 1959-01-01) and consented on 2020-01-02; a death in
    # December 1958 (latest 1958-12-31) or on 2019-12-31 is impossible
    raw = delivery()
    raw["dm"].loc[0, "DTHDTC"] = death
    original = raw["dm"].loc[0, variable]
    with pytest.raises(InputError) as err:
        run(raw)
    assert str(err.value) == (
        f"raw/dm.csv, row 1, USUBJID S-001, variable DTHDTC: death date {death!r} is before "
        f"{what} ({variable} {original!r}) (expected a death date on or after {variable})"
    )


def test_partial_death_date_that_may_follow_consent_is_accepted():
    raw = delivery()
    raw["dm"].loc[0, "DTHDTC"] = "2020-01"  # latest possible day 2020-01-31 > consent 2020-01-02
    run(raw)


def test_assessment_before_consent_is_a_query_and_kept():
    raw = delivery()
    raw["rs"].loc[0, "RSDTC"] = "2019-12-20"  # S-001 consented 2020-01-02
    raw["tr"].loc[0, "TRDTC"] = "2020-01"  # partial: may be after consent, no query
    result = run(raw)
    q = issues_of(result, "RS", "query")
    q = q[q["reason"].str.contains("before informed consent")]
    assert q[["usubjid", "row", "variable", "original_value"]].values.tolist() == [
        ["S-001", "1", "RSDTC", "2019-12-20"]
    ]
    assert (
        q["reason"].iloc[0] == "assessment dated before informed consent (RFICDTC 2020-01-02); kept"
    )
    assert 1 in result.domains["rs"]["SRCROW"].tolist()
    tr_q = issues_of(result, "TR", "query")
    assert not tr_q["reason"].str.contains("consent").any()
