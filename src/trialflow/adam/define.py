"""Define-XML 2.1 for the ADaM datasets of one analysis, built from the ADaM specs with odmlib.

`define_xml(specs, datasets, study=...)` returns the document as bytes (CDISC Define-XML 2.1,
ODM 1.3.2 based):

- one `ItemGroupDef` per dataset (class, structure, keys, label) with a `def:leaf` pointing
  to its XPT file (`<name>.xpt`, beside define.xml);
- one `ItemDef` per variable (data type, length, display format, origin, codelist) and, for
  the PARAMCD-dependent variables (ADRS AVALC/AVAL, ADTTE AVAL/CNSR, ADTR AVAL), a
  `def:ValueListDef` whose items apply `def:WhereClauseDef`s on PARAMCD;
- the codelists the variables use, PARAMCD (decoded by PARAM) and PARAM per BDS dataset;
- one `MethodDef` per derived variable (and value level) whose text names the rule and the
  trialflow function.

Character lengths are the widths actually written in the XPT files (the longest value, as
the FDA Study Data Technical Conformance Guide asks), never more than the spec allows; value
level lengths are those of the records the where clause selects. `validate_define` checks the
document against the Define-XML 2.1 XSD shipped in the `defineutils` package, and
`define_html` renders it with the CDISC stylesheet shipped there (lxml XSLT). Nothing is read
from the network.

ODM requires a CreationDateTime; it is set to the data cutoff (midnight), as is AsOfDateTime,
so two runs give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import pandas as pd

from trialflow.adam.specs import AdamSpecs, Codelist, DatasetSpec, ValueLevel, VariableSpec
from trialflow.errors import TrialflowError

ADAMIG = ("ADaMIG", "1.3")
DEFINE_XSD = ("defineutils.validate", "schema/cdisc-define-2.1/define2-1-0.xsd")
DEFINE_XSL = ("defineutils.definehtml", "define2-1.xsl")
STANDARD_OID = "STD.ADaMIG.1.3"
_DATA_TYPE = {"text": "text", "integer": "integer", "float": "float", "date": "integer"}


@dataclass(frozen=True)
class Study:
    """What define.xml says about the study and the analysis."""

    studyid: str
    name: str
    description: str
    protocol: str
    cutoff: str


# --------------------------------------------------------------------------- lengths


def text_length(values: pd.Series) -> int:
    """Bytes of the longest value (UTF-8), at least 1: the width XPT v5 stores."""
    text = values.astype("object").where(values.notna(), "").astype(str)
    return max(1, int(text.str.encode("utf-8").str.len().max())) if len(text) else 1


def data_lengths(df: pd.DataFrame, spec: DatasetSpec) -> dict[tuple[str, tuple[str, ...]], int]:
    """Length of every text variable of `spec` in `df` (key `(name, ())`) and of every text
    value level (key `(name, paramcds)`), as written in the XPT file."""
    out: dict[tuple[str, tuple[str, ...]], int] = {}
    for var in spec.variables:
        if var.name not in df.columns:
            continue
        if var.is_char:
            out[(var.name, ())] = text_length(df[var.name])
        for vl in var.value_level:
            if vl.type == "text" and "PARAMCD" in df.columns:
                rows = df.loc[df["PARAMCD"].isin(vl.paramcd), var.name]
                out[(var.name, vl.paramcd)] = text_length(rows)
    return out


# --------------------------------------------------------------------------- building


def _tt(model, text: str):
    return model.Description(TranslatedText=[model.TranslatedText(_content=text, lang="en")])


def _significant_digits(fmt: str) -> int | None:
    if "." in fmt and fmt.split(".")[-1].isdigit():
        return int(fmt.split(".")[-1])
    return None


def _codelist(model, oid: str, cl: Codelist):
    kwargs = {"OID": oid, "Name": cl.name, "DataType": cl.type}
    if all(decode for _, decode in cl.terms):
        items = [
            model.CodeListItem(
                CodedValue=value,
                OrderNumber=i,
                Decode=model.Decode(TranslatedText=[model.TranslatedText(_content=d, lang="en")]),
            )
            for i, (value, d) in enumerate(cl.terms, start=1)
        ]
        return model.CodeList(**kwargs, CodeListItem=items)
    items = [
        model.EnumeratedItem(CodedValue=value, OrderNumber=i)
        for i, (value, _) in enumerate(cl.terms, start=1)
    ]
    return model.CodeList(**kwargs, EnumeratedItem=items)


def _origin(model, var: VariableSpec):
    if var.origin == "Predecessor":
        return model.Origin(Type="Predecessor", Description=_tt(model, var.source))
    if var.origin == "Assigned":
        return model.Origin(Type="Assigned", Description=_tt(model, var.derivation))
    return model.Origin(Type="Derived")


def _codelist_oid(ds: DatasetSpec, name: str) -> str:
    if name in ("PARAMCD", "PARAM"):
        return f"CL.{ds.name}.{name}"
    return f"CL.{name}"


def _vl_method(var: VariableSpec, vl: ValueLevel) -> str:
    rule = f" Rule: {vl.rule}." if vl.rule else ""
    return f"{vl.derivation}{rule} Function: {vl.function}."


def define_xml(
    specs: AdamSpecs,
    datasets: Mapping[str, pd.DataFrame],
    *,
    study: Study,
    order: Sequence[str] | None = None,
) -> bytes:
    """Define-XML 2.1 (bytes, UTF-8) for `datasets` ({name: the frame written to XPT}).

    Every dataset must have a spec and every spec variable must be in its frame (the XPT
    writer enforces that); only variables present in the frame are described.
    """
    import odmlib.define_2_1.model as DEFINE

    names = [n.upper() for n in (order or datasets)]
    frames = {n.upper(): df for n, df in datasets.items()}
    if not names:
        raise TrialflowError("define.xml: no datasets")
    groups, items, methods, value_lists, wheres = [], [], [], [], []
    used_codelists: dict[str, object] = {}
    leaves = []
    for name in names:
        ds = specs[name]
        df = frames[name]
        lengths = data_lengths(df, ds)
        present = [v for v in ds.variables if v.name in df.columns]
        refs = []
        for order_number, var in enumerate(present, start=1):
            item_oid = f"IT.{ds.name}.{var.name}"
            ref = {
                "ItemOID": item_oid,
                "OrderNumber": order_number,
                "Mandatory": "Yes" if var.name in ds.keys or var.name in ("PARAMCD",) else "No",
            }
            if var.name in ds.keys:
                ref["KeySequence"] = ds.keys.index(var.name) + 1
            if var.origin == "Derived":
                ref["MethodOID"] = f"MT.{ds.name}.{var.name}"
                methods.append(
                    DEFINE.MethodDef(
                        OID=ref["MethodOID"],
                        Name=f"Algorithm to derive {ds.name}.{var.name}",
                        Type="Computation",
                        Description=_tt(DEFINE, var.method),
                    )
                )
            refs.append(DEFINE.ItemRef(**ref))
            item = {
                "OID": item_oid,
                "Name": var.name,
                "SASFieldName": var.name,
                "DataType": _DATA_TYPE[var.type],
                "Length": lengths.get((var.name, ()), 8),
                "Description": _tt(DEFINE, var.label),
                "Origin": [_origin(DEFINE, var)],
            }
            if var.format:
                item["DisplayFormat"] = var.format
            if var.type == "float" and _significant_digits(var.format) is not None:
                item["SignificantDigits"] = _significant_digits(var.format)
            if var.codelist:
                oid = _codelist_oid(ds, var.codelist)
                item["CodeListRef"] = DEFINE.CodeListRef(CodeListOID=oid)
                used_codelists[oid] = (ds, var.codelist)
            if var.value_level:
                vl_oid = f"VL.{ds.name}.{var.name}"
                item["ValueListRef"] = DEFINE.ValueListRef(ValueListOID=vl_oid)
                vl_refs = []
                for i, vl in enumerate(var.value_level, start=1):
                    tag = "_".join(vl.paramcd)
                    wc_oid = f"WC.{ds.name}.PARAMCD.{tag}"
                    if wc_oid not in {w.OID for w in wheres}:
                        wheres.append(
                            DEFINE.WhereClauseDef(
                                OID=wc_oid,
                                RangeCheck=[
                                    DEFINE.RangeCheck(
                                        Comparator="IN" if len(vl.paramcd) > 1 else "EQ",
                                        SoftHard="Soft",
                                        ItemOID=f"IT.{ds.name}.PARAMCD",
                                        CheckValue=[
                                            DEFINE.CheckValue(_content=c) for c in vl.paramcd
                                        ],
                                    )
                                ],
                            )
                        )
                    vl_item_oid = f"IT.{ds.name}.{var.name}.{tag}"
                    method_oid = f"MT.{ds.name}.{var.name}.{tag}"
                    methods.append(
                        DEFINE.MethodDef(
                            OID=method_oid,
                            Name=f"Algorithm to derive {ds.name}.{var.name} ({', '.join(vl.paramcd)})",
                            Type="Computation",
                            Description=_tt(DEFINE, _vl_method(var, vl)),
                        )
                    )
                    vl_refs.append(
                        DEFINE.ItemRef(
                            ItemOID=vl_item_oid,
                            OrderNumber=i,
                            Mandatory="Yes",
                            MethodOID=method_oid,
                            WhereClauseRef=[DEFINE.WhereClauseRef(WhereClauseOID=wc_oid)],
                        )
                    )
                    vl_item = {
                        "OID": vl_item_oid,
                        "Name": var.name,
                        "SASFieldName": var.name,
                        "DataType": _DATA_TYPE[vl.type],
                        "Length": lengths.get((var.name, vl.paramcd), 8),
                        "Description": _tt(DEFINE, f"{var.label} ({', '.join(vl.paramcd)})"),
                        "Origin": [DEFINE.Origin(Type="Derived")],
                    }
                    if vl.format:
                        vl_item["DisplayFormat"] = vl.format
                    if vl.codelist:
                        oid = _codelist_oid(ds, vl.codelist)
                        vl_item["CodeListRef"] = DEFINE.CodeListRef(CodeListOID=oid)
                        used_codelists[oid] = (ds, vl.codelist)
                    items.append(DEFINE.ItemDef(**vl_item))
                value_lists.append(DEFINE.ValueListDef(OID=vl_oid, ItemRef=vl_refs))
            items.append(DEFINE.ItemDef(**item))
        leaf_id = f"LF.{ds.name}"
        href = f"{ds.name.lower()}.xpt"
        groups.append(
            DEFINE.ItemGroupDef(
                OID=f"IG.{ds.name}",
                Name=ds.name,
                SASDatasetName=ds.name,
                Repeating="No" if ds.cls == "ADSL" else "Yes",
                IsReferenceData="No",
                Purpose="Analysis",
                Structure=ds.structure,
                ArchiveLocationID=leaf_id,
                StandardOID=STANDARD_OID,
                Description=_tt(DEFINE, ds.label),
                ItemRef=refs,
                Class=DEFINE.Class(Name=ds.class_name),
                leaf=DEFINE.leaf(ID=leaf_id, href=href, title=DEFINE.title(_content=href)),
            )
        )
    codelists = []
    for oid in sorted(used_codelists):
        ds, cl_name = used_codelists[oid]
        if cl_name == "PARAMCD":
            cl = Codelist("PARAMCD", f"{ds.name} Parameter Code", "text", ds.parameters)
        elif cl_name == "PARAM":
            cl = Codelist(
                "PARAM", f"{ds.name} Parameter", "text", tuple((p, "") for _, p in ds.parameters)
            )
        else:
            cl = specs.codelists[cl_name]
        codelists.append(_codelist(DEFINE, oid, cl))

    items.sort(key=lambda i: i.OID)
    methods.sort(key=lambda m: m.OID)
    wheres.sort(key=lambda w: w.OID)
    value_lists.sort(key=lambda v: v.OID)
    mdv = DEFINE.MetaDataVersion(
        OID=f"MDV.{study.studyid}.ADaM.{study.cutoff}",
        Name=f"{study.studyid} ADaM datasets, data cutoff {study.cutoff}",
        Description=f"ADaM datasets of {study.name}, data cutoff {study.cutoff}",
        DefineVersion="2.1.0",
        Standards=DEFINE.Standards(
            Standard=[
                DEFINE.Standard(
                    OID=STANDARD_OID, Name=ADAMIG[0], Type="IG", Version=ADAMIG[1], Status="Final"
                )
            ]
        ),
        ValueListDef=value_lists,
        WhereClauseDef=wheres,
        ItemGroupDef=groups,
        ItemDef=items,
        CodeList=codelists,
        MethodDef=methods,
        leaf=leaves,
    )
    stamp = f"{study.cutoff}T00:00:00"
    odm = DEFINE.ODM(
        FileOID=f"DEF.{study.studyid}.ADaM.{study.cutoff}",
        FileType="Snapshot",
        CreationDateTime=stamp,
        AsOfDateTime=stamp,
        ODMVersion="1.3.2",
        Originator="trialflow",
        SourceSystem="trialflow",
        Context="Submission",
        Study=DEFINE.Study(
            OID=f"ST.{study.studyid}",
            GlobalVariables=DEFINE.GlobalVariables(
                StudyName=DEFINE.StudyName(_content=study.studyid),
                StudyDescription=DEFINE.StudyDescription(_content=study.description),
                ProtocolName=DEFINE.ProtocolName(_content=study.protocol),
            ),
            MetaDataVersion=mdv,
        ),
    )
    return _pretty(odm.to_xml_string(xml_declaration=True))


def _pretty(text: str) -> bytes:
    from lxml import etree

    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(remove_blank_text=True))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --------------------------------------------------------------------------- validation, HTML


def _resource(pkg_file: tuple[str, str]):
    pkg, rel = pkg_file
    return resources.files(pkg).joinpath(rel)


def validate_define(xml: bytes) -> list[str]:
    """Problems of `xml` against the Define-XML 2.1 XSD shipped in `defineutils` (empty list:
    valid), one line each with the line of the document. The schema and everything it imports
    are read from the installed package and compiled by libxml2 (lxml)."""
    from lxml import etree

    with resources.as_file(_resource(DEFINE_XSD)) as xsd:
        schema = etree.XMLSchema(etree.parse(str(xsd)))
    if schema.validate(etree.fromstring(xml)):
        return []
    return [" ".join(f"line {e.line}: {e.message}".split()) for e in schema.error_log]


def define_html(xml: bytes) -> bytes:
    """define.xml rendered to HTML by the CDISC Define-XML 2.1 stylesheet of `defineutils`."""
    from lxml import etree

    xsl = etree.XML(_resource(DEFINE_XSL).read_bytes())
    transform = etree.XSLT(xsl)
    try:
        result = transform(etree.fromstring(xml))
    except etree.XSLTApplyError as exc:
        raise TrialflowError(f"define.html: the stylesheet failed ({exc})") from None
    return etree.tostring(result, method="html", encoding="UTF-8", pretty_print=True)
