"""Submission outputs: ADaM specs, labelled XPT, Define-XML 2.1, conformance checks, CDISC ARS
and the RTF tables.

Unit tests build small datasets by hand; the expected values are read off those datasets (a
label of 41 characters, a value of 201 bytes, a CNSR of 2, ...). The last tests run the
workflow on the bundled irinotecan trial once and check the written files.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import REPO, make_project, run_snakemake
from trialflow.adam.conformance import conformance
from trialflow.adam.define import Study, define_html, define_xml, validate_define
from trialflow.adam.specs import parse_specs, spec_mismatch_message
from trialflow.adam.xpt import xpt_dataset
from trialflow.ard.ars import reporting_event, validate_ars
from trialflow.errors import ConfigError, TrialflowError
from trialflow.io import read_xpt_dataset, write_xpt
from trialflow.scripting import load_adam_specs

SPEC_DIR = REPO / "workflow" / "schemas" / "adam"
ARS_SCHEMA = REPO / "workflow" / "schemas" / "ars" / "ars_ldm.schema.json"
ADAM = ["adsl", "adtr", "adrs", "adtte", "adae", "adex"]


@pytest.fixture(scope="module")
def specs():
    return load_adam_specs(sorted(SPEC_DIR.glob("*.yaml")))


def _raw(name: str) -> dict:
    return yaml.safe_load((SPEC_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def _codelists() -> dict:
    return yaml.safe_load((SPEC_DIR / "codelists.yaml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- specs


def test_every_spec_variable_is_within_the_xpt_limits_and_names_an_existing_function(specs):
    assert sorted(specs.datasets) == sorted(n.upper() for n in ADAM)
    for ds in specs.datasets.values():
        assert len(ds.name) <= 8 and len(ds.label) <= 40
        for var in ds.variables:
            assert len(var.name) <= 8 and len(var.label) <= 40, (ds.name, var.name)
            assert var.type in ("text", "integer", "float", "date")
            assert (var.type == "date") == (var.format == "DATE9."), (ds.name, var.name)
            assert var.length <= 200
            functions = [var.function] + [vl.function for vl in var.value_level]
            for dotted in functions:
                module, _, attr = dotted.rpartition(".")
                assert hasattr(importlib.import_module(module), attr), (ds.name, var.name, dotted)
            assert var.function in var.method


def test_a_label_of_41_characters_is_refused_naming_file_and_variable():
    raw = _raw("adsl")
    raw["variables"][1]["label"] = "X" * 41
    with pytest.raises(ConfigError, match=r"adsl.yaml, variable USUBJID: label .* 41 characters"):
        parse_specs({"adsl.yaml": raw}, _codelists())


def test_a_text_length_over_200_bytes_and_a_date_without_date9_are_refused():
    raw = _raw("adsl")
    raw["variables"][0]["length"] = 201
    with pytest.raises(ConfigError, match="STUDYID: text length 201"):
        parse_specs({"adsl.yaml": raw}, _codelists())
    raw = _raw("adsl")
    trtsdt = next(v for v in raw["variables"] if v["name"] == "TRTSDT")
    trtsdt["format"] = "YYMMDD10."
    with pytest.raises(ConfigError, match="TRTSDT: a date needs format DATE9."):
        parse_specs({"adsl.yaml": raw}, _codelists())


def test_a_paramcd_of_nine_characters_is_refused():
    raw = _raw("adtte")
    raw["parameters"]["TOOLONGPC"] = "Too long"
    with pytest.raises(ConfigError, match="PARAMCD 'TOOLONGPC'"):
        parse_specs({"adtte.yaml": raw}, _codelists())


def test_spec_mismatch_names_the_new_and_the_missing_variables(specs):
    cols = [v for v in specs["ADTTE"].names if v != "CNSDTDSC"] + ["ANL01FL"]
    message = spec_mismatch_message(cols, specs["ADTTE"])
    assert "ANL01FL are not in workflow/schemas/adam/adtte.yaml" in message
    assert "CNSDTDSC of workflow/schemas/adam/adtte.yaml are not in the data" in message


# --------------------------------------------------------------------------- XPT


def _adtte(specs, n: int = 3) -> pd.DataFrame:
    """A hand-made ADTTE: OS of `n` subjects, start 2020-01-01, event on day 10 * i."""
    rows = []
    for i in range(1, n + 1):
        start = pd.Timestamp("2020-01-01")
        adt = start + pd.Timedelta(days=10 * i - 1)
        rows.append(
            {
                "STUDYID": "S1",
                "USUBJID": f"S1-{i:03d}",
                "TRTP": "Drug X",
                "TRTA": "Drug X",
                "PARAMCD": "OS",
                "PARAM": "Overall Survival",
                "STARTDT": start,
                "ADT": adt,
                "AVAL": float(10 * i),
                "AVALM": 10 * i / 30.4375,
                "CNSR": 0,
                "EVNTDESC": "Death",
                "CNSDTDSC": "",
                "SRCDOM": "ADSL",
                "SRCVAR": "DTHDT",
                "COHORT": "A",
                "AGEGR1": "<65",
                "ECOGBL": 1.0,
                "SAFFL": "Y",
                "EFFFL": "Y",
                "ENRLFL": "Y",
            }
        )
    return pd.DataFrame(rows)


def test_xpt_carries_labels_formats_and_the_dataset_label(tmp_path, specs):
    x = xpt_dataset(_adtte(specs), specs["ADTTE"])
    path = tmp_path / "adtte.xpt"
    write_xpt(
        x.frame,
        path,
        name=x.name,
        label=x.label,
        column_labels=x.column_labels,
        variable_format=x.formats,
    )
    _df, meta = read_xpt_dataset(path)
    assert meta["label"] == "Time-to-Event Analysis Dataset"
    assert meta["labels"]["CNSR"] == "Censor"
    assert meta["labels"]["CNSDTDSC"] == "Censor Date Description"
    assert meta["formats"]["ADT"].rstrip(".") == "DATE9"
    # "Overall Survival" is 16 bytes: the stored width is the longest value
    assert meta["widths"]["PARAM"] == 16


def test_dates_are_sas_day_numbers_even_when_a_date_column_is_all_missing(tmp_path, specs):
    """SAS dates count days from 1960-01-01: 2020-01-01 is 60 * 365 + 15 leap days = 21915,
    so 2020-01-10 is 21924. A date column with no value at all must still be numeric (a
    character column with a DATE9. format cannot be read back)."""
    import pyreadstat

    df = _adtte(specs)
    df.loc[:, "STARTDT"] = pd.NaT
    x = xpt_dataset(df, specs["ADTTE"])
    path = tmp_path / "adtte.xpt"
    write_xpt(x.frame, path, name=x.name, label=x.label, column_labels=x.column_labels,
              variable_format=x.formats)  # fmt: skip
    raw, _meta = pyreadstat.read_xport(str(path), disable_datetime_conversion=True)
    assert raw["ADT"].tolist() == [21924.0, 21934.0, 21944.0]
    assert raw["STARTDT"].isna().all()
    dated, _meta = pyreadstat.read_xport(str(path))
    assert str(dated["ADT"].iloc[0])[:10] == "2020-01-10"


def test_a_date_column_missing_in_its_first_hundred_rows_is_written_as_sas_dates(tmp_path, specs):
    """A date variable is numeric in XPT whatever its first values: here ADT is missing for
    the first 120 of 130 subjects (as ADRS ADT is for subjects without a response). SAS dates
    count days from 1960-01-01: 2020-01-01 is 60 * 365 + 15 leap days = day 21915, so
    subject i's ADT (day 10 * i of a start on 2020-01-01) is 21915 + 10 * i - 1."""
    df = _adtte(specs, n=130)
    df["ADT"] = df["ADT"].where(df.index >= 120)
    x = xpt_dataset(df, specs["ADTTE"])
    path = tmp_path / "adtte.xpt"
    write_xpt(x.frame, path, name=x.name, label=x.label, column_labels=x.column_labels,
              variable_format=x.formats)  # fmt: skip
    back, meta = read_xpt_dataset(path)
    assert meta["types"]["ADT"] == "double"
    assert back["ADT"].iloc[:120].isna().all()
    assert list(back["ADT"].iloc[120:]) == [21915.0 + 10 * i - 1 for i in range(121, 131)]
    assert list(back["STARTDT"].unique()) == [21915.0]


def test_a_value_over_200_bytes_counted_in_bytes_is_an_error_naming_dataset_variable_subject(
    specs,
):
    df = _adtte(specs)
    # 100 characters of "é" are 200 bytes (allowed); one more character makes 202 bytes
    df.loc[1, "EVNTDESC"] = "é" * 100
    xpt_dataset(df, specs["ADTTE"])
    df.loc[1, "EVNTDESC"] = "é" * 101
    with pytest.raises(
        TrialflowError, match="ADTTE: variable EVNTDESC, USUBJID S1-002: value of 202 bytes"
    ):
        xpt_dataset(df, specs["ADTTE"])


def test_a_variable_outside_the_spec_stops_the_xpt_writer(specs):
    df = _adtte(specs).assign(ANL01FL="Y")
    with pytest.raises(TrialflowError, match="ANL01FL are not in workflow/schemas/adam/adtte.yaml"):
        xpt_dataset(df, specs["ADTTE"])


# --------------------------------------------------------------------------- conformance


def _failed(table: pd.DataFrame, dataset: str, check: str) -> int:
    rows = table[(table.dataset == dataset) & (table.check == check)]
    assert len(rows) == 1, (dataset, check)
    return int(rows.failures.iloc[0])


def test_conformance_flags_cnsr_adt_before_start_and_duplicates(specs):
    df = _adtte(specs, n=4)
    df.loc[0, "CNSR"] = 2  # not 0 or 1
    df.loc[1, "ADT"] = pd.Timestamp("2019-12-31")  # before STARTDT 2020-01-01
    df.loc[3, "USUBJID"] = "S1-003"  # a second OS record of S1-003
    table = conformance(specs, {"ADTTE": df})
    assert _failed(table, "ADTTE", "CNSR in {0, 1}") == 1
    assert _failed(table, "ADTTE", "ADT >= STARTDT") == 1
    assert _failed(table, "ADTTE", "one record per subject and PARAMCD") == 1
    # subject 2: ADT 2019-12-31 - 2020-01-01 + 1 = 0 days but AVAL says 20
    assert _failed(table, "ADTTE", "AVAL = ADT - STARTDT + 1") == 1
    assert _failed(table, "ADTTE", "PARAMCD length") == 0
    assert set(table.status) == {"pass", "fail"}


def test_conformance_flags_a_long_paramcd_and_param(specs):
    df = _adtte(specs, n=2)
    df.loc[0, "PARAMCD"] = "OVERALLSV"  # 9 characters
    df.loc[1, "PARAM"] = "P" * 201
    table = conformance(specs, {"ADTTE": df})
    assert _failed(table, "ADTTE", "PARAMCD length") == 1
    assert _failed(table, "ADTTE", "PARAM length") == 1
    assert _failed(table, "ADTTE", "PARAMCD in the spec") == 2


# --------------------------------------------------------------------------- define.xml


def test_define_xml_validates_against_the_defineutils_xsd_and_renders(specs):
    df = _adtte(specs)
    frames = {"ADTTE": xpt_dataset(df, specs["ADTTE"]).frame}
    study = Study("S1", "Study one", "Study one", "NCT00000000", "2020-06-30")
    xml = define_xml(specs, frames, study=study)
    assert validate_define(xml) == []
    text = xml.decode("utf-8")
    assert 'def:DefineVersion="2.1.0"' in text
    assert 'xlink:href="adtte.xpt"' in text
    assert 'OID="VL.ADTTE.AVAL"' in text and "WC.ADTTE.PARAMCD.PFS" in text
    assert "Function: trialflow.adam.adtte.derive_pfs." in text
    assert 'CreationDateTime="2020-06-30T00:00:00"' in text
    # PARAM "Overall Survival": 16 bytes
    assert re.search(r'OID="IT.ADTTE.PARAM"[^>]*Length="16"', text)
    assert define_xml(specs, frames, study=study) == xml
    broken = text.replace('def:DefineVersion="2.1.0"', 'def:DefineVersion="9.9"')
    assert validate_define(broken.encode("utf-8")) != []
    html = define_html(xml).decode("utf-8")
    assert "ADTTE" in html and "Time-to-Event Analysis Dataset" in html


# --------------------------------------------------------------------------- ARS


def _ard_rows(analysis, population, parameter, dataset, stats):
    return [
        {
            "analysis": analysis,
            "population": population,
            "parameter": parameter,
            "group_var": "",
            "group_level": "",
            "stat": k,
            "value": v,
            "dataset": dataset,
            "filter": f"PARAMCD == '{parameter}' and {population} == 'Y'",
        }
        for k, v in stats.items()
    ]


def test_ars_reporting_event_of_an_orr_and_a_km_median_validates():
    # ARD rows as the efficacy rule writes them: ORR 3/10 = 30.0%, CI limits 0.0667 and 0.6525
    # (formatted 6.7% and 65.3%), a PFS median of 5.2 months whose upper limit is not estimable
    efficacy = pd.DataFrame(
        _ard_rows(
            "orr",
            "EFFFL",
            "CRSP",
            "ADRS",
            {"n": "3", "N": "10", "estimate": "0.3", "lower": "0.0667", "upper": "0.6525",
             "conf_level": "0.95", "p_value": "0.07"},
        )
        + _ard_rows(
            "km",
            "ENRLFL",
            "PFS",
            "ADTTE",
            {"n": "10", "events": "6", "censored": "4", "median": "5.2", "median_lower": "3.1",
             "median_upper": "", "conf_level": "0.95"},
        )
    )  # fmt: skip
    datasets = {n: _raw(n) for n in ADAM}
    doc = reporting_event(
        efficacy,
        efficacy.iloc[0:0],
        datasets=datasets,
        trial_id="t",
        title="T",
        cutoff="2020-06-30",
        primary_endpoint="ORR",
    )
    schema = json.loads(ARS_SCHEMA.read_text(encoding="utf-8"))
    assert validate_ars(doc, schema) == []
    orr = next(a for a in doc["analyses"] if a["id"] == "An_orr_CRSP")
    assert orr["purpose"]["controlledTerm"] == "PRIMARY OUTCOME MEASURE"
    values = {r["operationId"]: r["formattedValue"] for r in orr["results"]}
    assert values["Mth_RATE_CP_estimate"] == "30.0%"
    assert values["Mth_RATE_CP_lower"] == "6.7%"
    km = next(a for a in doc["analyses"] if a["id"] == "An_km_PFS")
    kmv = {r["operationId"]: r["formattedValue"] for r in km["results"]}
    assert kmv["Mth_KM_median"] == "5.2" and kmv["Mth_KM_median_upper"] == "NE"
    subset = next(d for d in doc["dataSubsets"] if d["id"] == km["dataSubsetId"])
    assert subset["name"] == "Progression-Free Survival"  # the ADTTE spec's PARAM
    doc["analyses"][0].pop("methodId")
    assert validate_ars(doc, schema) != []


# --------------------------------------------------------------------------- workflow

TRIAL, CUTOFF = "irinotecan", "2021-12-31"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("submission")
    text = (REPO / "config" / "trials" / f"{TRIAL}.yaml").read_text()
    make_project(tmp, {f"{TRIAL}.yaml": text})
    shutil.copytree(REPO / "resources" / "raw" / TRIAL, tmp / "resources" / "raw" / TRIAL)
    base = f"results/{TRIAL}/{CUTOFF}"
    targets = [
        f"{base}/adam/define.html",
        f"{base}/conformance.csv",
        f"{base}/ard/ars.json",
        f"{base}/tlf/t_response.rtf",
        f"{base}/report/{TRIAL}_{CUTOFF}.html",
    ]
    result = run_snakemake(tmp, "--cores", "2", *targets, timeout=1200)
    assert result.returncode == 0, result.stderr[-4000:]
    return tmp / base


@pytest.mark.slow
def test_written_datasets_match_their_specs_and_define_validates(run, specs):
    for name in ADAM:
        df = pd.read_parquet(run / "adam" / f"{name}.parquet")
        message = spec_mismatch_message(df.columns, specs[name])
        assert message == "", (
            f"{message} -- update workflow/schemas/adam/{name}.yaml to match the derivation"
        )
    xml = (run / "adam" / "define.xml").read_bytes()
    assert validate_define(xml) == []
    conf = pd.read_csv(run / "conformance.csv", dtype=str, keep_default_na=False)
    assert {"pass", "fail"} >= set(conf.status)
    assert len(conf) > 50
    ars = json.loads((run / "ard" / "ars.json").read_text(encoding="utf-8"))
    assert validate_ars(ars, json.loads(ARS_SCHEMA.read_text(encoding="utf-8"))) == []


def _rtf_cells(text: str) -> list[str]:
    """Text of every table cell of an RTF file (\\uN escapes decoded, control words dropped)."""
    cells = []
    for raw in re.findall(r"\{\\f\d+ ((?:[^{}]|\{[^{}]*\})*)\}\\cell", text):
        s = re.sub(r"\\uc1\\u(-?\d+)\*", lambda m: chr(int(m.group(1)) % 65536), raw)
        s = re.sub(r"\\line\s?", " ", s)
        s = re.sub(r"\\[a-z]+-?\d* ?", "", s).replace("\\{", "{").replace("\\}", "}")
        cells.append(s.replace("\\\\", "\\"))
    return cells


@pytest.mark.slow
def test_rtf_tables_show_the_same_numbers_as_the_html_report(run):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(
        (run / "report" / f"{TRIAL}_{CUTOFF}.html").read_text(encoding="utf-8"), "html.parser"
    )
    pairs = {
        "tf-rates": "t_response",
        "tf-bor": "t_response",
        "tf-km-pfs": "t_km_pfs",
        "tf-km-os": "t_km_os",
        "tf-km-dor": "t_km_dor",
        "tf-disposition": "t_disposition",
        "tf-demographics": "t_demographics",
        "tf-exposure": "t_exposure",
        "tf-teae-overview": "t_teae_overview",
        "tf-soc-pt": "t_teae_soc_pt",
        "tf-grade3": "t_teae_grade3",
        "tf-design": "t_design",
    }
    for table_id, stem in pairs.items():
        html_rows = [
            [td.get_text() for td in tr.find_all("td")]
            for tr in soup.select(f"#{table_id} tbody tr")
        ]
        assert html_rows, table_id
        cells = _rtf_cells((run / "tlf" / f"{stem}.rtf").read_text(encoding="utf-8"))
        flat = [c.strip() for c in cells]
        for row in html_rows:
            row = [c.strip() for c in row]
            start = next((i for i in range(len(flat)) if flat[i : i + len(row)] == row), None)
            assert start is not None, (table_id, stem, row)
    rtf = (run / "tlf" / "t_response.rtf").read_text(encoding="utf-8")
    assert "Table 14.2.1" in rtf and "Data cutoff: 2021-12-31" in rtf
    assert "trialflow.ard.efficacy.bor_table_ard" in rtf and "Efficacy-evaluable" in rtf
