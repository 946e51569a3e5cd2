# Helpers shared by all rules: config validation, the trial table and input functions.
import os
import sys
from pathlib import Path

from snakemake.utils import validate

from trialflow.config.loading import (
    check_config,
    check_trial,
    check_unique_ids,
    parse_yaml,
)
from trialflow.errors import ConfigError
from trialflow.vocab import (
    ADAM_DATASETS,
    ARD_TABLES,
    DOMAINS,
    ISSUE_STAGES,
    RESPONSE_TABLES,
    TLF_DISPLAYS,
)
from trialflow.figures.names import (
    CUTOFF_FIGURES,
    FIGURES,
    SUBGROUP_FOLDER,
    figure_names,
)

ROOT = Path.cwd()
# Every job's Python (the rules' scripts) is the environment that runs Snakemake, activated
# or not.
os.environ["PATH"] = os.pathsep.join(
    [str(Path(sys.executable).parent), os.environ["PATH"]]
)
LOCK_FILE = str(Path(workflow.basedir) / "requirements.lock")
SCHEMAS = Path(workflow.basedir) / "workflow" / "schemas"
TRIAL_SCHEMA_PATH = SCHEMAS / "trial.schema.yaml"
# The software of every rule: the pinned environment (same versions as requirements.lock).
ENV = "../../environment.yml"
SDTM_SPECS = sorted(str(p) for p in (SCHEMAS / "sdtm").glob("*.yaml"))
ADAM_SPECS = SCHEMAS / "adam"
ARS_SCHEMA = str(SCHEMAS / "ars" / "ars_ldm.schema.json")
# The study-report tables and figures (tlf/<stem>.rtf) and the figures they embed.
TLF_STEMS = list(TLF_DISPLAYS)
TLF_FIGURES = ["km_pfs", "km_os", "km_dor", "waterfall"]


def adam_spec(name):
    """The ADaM spec files of one dataset: its own and the shared codelists."""
    return [str(ADAM_SPECS / f"{name}.yaml"), str(ADAM_SPECS / "codelists.yaml")]


def adam_specs():
    """Every ADaM spec file (define.xml, conformance and ARS read them all)."""
    return sorted(str(p) for p in ADAM_SPECS.glob("*.yaml"))


def load_trials(config):
    """Validate config.yaml and every trial file; stop with one line on the first problem."""
    source = "config (config/config.yaml or --configfile)"
    config_schema = parse_yaml(
        (SCHEMAS / "config.schema.yaml").read_text(), "config.schema.yaml"
    )
    trial_schema = parse_yaml(TRIAL_SCHEMA_PATH.read_text(), "trial.schema.yaml")
    paths = check_config(config, config_schema, source=source, root=ROOT)
    validate(config, str(SCHEMAS / "config.schema.yaml"))
    trials = []
    for path in paths:
        raw = parse_yaml((ROOT / path).read_text(encoding="utf-8"), str(path))
        trial = check_trial(raw, trial_schema, source=str(path), root=ROOT)
        validate(trial, str(TRIAL_SCHEMA_PATH))
        trials.append((str(path), trial))
    check_unique_ids(trials)
    return {trial["id"]: {**trial, "_file": source} for source, trial in trials}


try:
    TRIALS = load_trials(config)
except ConfigError as exc:
    sys.stderr.write(f"trialflow: config error: {exc}\n")
    sys.exit(1)


wildcard_constraints:
    trial="[a-z0-9][a-z0-9_-]{0,63}",
    var="[a-z][a-z0-9_]{0,7}",
    cutoff="[0-9]{4}-[0-9]{2}-[0-9]{2}",
    before="[0-9]{4}-[0-9]{2}-[0-9]{2}",
    after="[0-9]{4}-[0-9]{2}-[0-9]{2}",


def delivery(wildcards):
    """The trial-file entry {cutoff, raw} for this trial and cutoff."""
    for entry in TRIALS[wildcards.trial]["deliveries"]:
        if entry["cutoff"] == wildcards.cutoff:
            return entry
    raise ValueError(
        f"trial {wildcards.trial} has no delivery with cutoff {wildcards.cutoff}"
    )


def delivery_files(raw_dir):
    """The raw domain files present in a delivery folder (csv or xpt)."""
    folder = ROOT / raw_dir
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".csv", ".xpt"})
    return [str(p.relative_to(ROOT)) for p in found]


def raw_files(wildcards):
    """The raw domain files of this analysis's delivery."""
    return delivery_files(delivery(wildcards)["raw"])


def trial_file(wildcards):
    return TRIALS[wildcards.trial]["_file"]


def sdtm_inputs(*domains):
    """Cleaned SDTM parquet files of this analysis, in the order given."""
    return [f"results/{{trial}}/{{cutoff}}/sdtm/{d}.parquet" for d in domains]


def trial_options(trial, *keys):
    """The resolved options of a trial file under `keys`, as one params mapping.

    Deliveries are left out on purpose: adding a cutoff must not re-run earlier analyses.
    """
    return {key: TRIALS[trial][key] for key in keys}


def analysis_figures(trial, cutoff, ext="png"):
    """Every figure file of one analysis."""
    names = figure_names(TRIALS[trial]["subgroups"])
    return [f"results/{trial}/{cutoff}/figures/{n}.{ext}" for n in names]


def analysis_options(wildcards):
    """The resolved trial options of one analysis: every option, and only this delivery."""
    trial = TRIALS[wildcards.trial]
    options = {k: v for k, v in trial.items() if k not in ("deliveries", "_file")}
    return {**options, "delivery": delivery(wildcards)}


def analysis_output_files(trial, cutoff):
    """Every output file of one analysis, as the manifest lists them."""
    base = f"results/{trial}/{cutoff}"
    files = [f"{base}/provenance.json"]
    files += [f"{base}/sdtm/{d}.parquet" for d in DOMAINS]
    files += [f"{base}/issues/{s}.csv" for s in ISSUE_STAGES]
    files += [f"{base}/data_issues.csv", f"{base}/ingest_summary.csv"]
    for name in ADAM:
        files += [f"{base}/adam/{name}.parquet", f"{base}/adam/{name}.xpt"]
    files += [f"{base}/adam/{name}.parquet" for name in RESPONSE_TABLES]
    files += [f"{base}/adam/define.xml", f"{base}/adam/define.html"]
    files += [f"{base}/conformance.csv"]
    files += [f"{base}/tlf/{stem}.rtf" for stem in TLF_STEMS]
    files += [f"{base}/ard/{name}.csv" for name in ARD]
    files += [f"{base}/ard/ars.json"]
    files += [f"{base}/figures/{n}.{ext}" for ext in ("png", "svg") for n in FIGURES]
    files += [
        f"{base}/figures/{SUBGROUP_FOLDER}"
    ]  # a folder: the manifest lists its files
    files += [f"{base}/report/params.yaml"]
    files += [f"{base}/report/{trial}_{cutoff}.{ext}" for ext in ("ipynb", "html")]
    return files


ADAM = [n.lower() for n in ADAM_DATASETS]
ARD = list(ARD_TABLES)
ADAM_ISSUE_STAGES = [s for s in ISSUE_STAGES if s != "ingest"]


def analyses():
    """(trial, cutoff) pairs in config order."""
    return [
        (t, d["cutoff"]) for t, trial in TRIALS.items() for d in trial["deliveries"]
    ]


def per_analysis(pattern):
    return [pattern.format(trial=t, cutoff=c) for t, c in analyses()]


# --- reports (workflow/rules/report.smk)
NOTEBOOKS = Path(workflow.basedir) / "notebooks"
REPORT_TEMPLATE_FILES = sorted(
    str(p) for p in (NOTEBOOKS / "templates" / "trialflow").iterdir()
)
REPORT_ARD = ["efficacy", "safety", "baseline", "concordance", "concordance_visits"]


def report_trial_options(trial):
    """Every resolved trial option except the deliveries (a new cutoff re-runs no report)."""
    return {k: v for k, v in TRIALS[trial].items() if k not in ("deliveries", "_file")}


def trial_report_values(wildcards):
    return {
        "trial_id": wildcards.trial,
        "cutoff": wildcards.cutoff,
        "project_dir": ".",
        "results_dir": f"results/{wildcards.trial}/{wildcards.cutoff}",
        "delivery_folder": delivery(wildcards)["raw"],
        "trial": report_trial_options(wildcards.trial),
    }


def trial_cutoffs(trial):
    return [d["cutoff"] for d in TRIALS[trial]["deliveries"]]


def cutoff_report_values(wildcards):
    return {
        "trial_id": wildcards.trial,
        "project_dir": ".",
        "deliveries": [
            {"cutoff": d["cutoff"], "raw": d["raw"]}
            for d in TRIALS[wildcards.trial]["deliveries"]
        ],
        "trial": report_trial_options(wildcards.trial),
    }


def per_cutoff(trial, relpath):
    """`relpath` under every cutoff of `trial`, in trial-file order."""
    return [f"results/{trial}/{c}/{relpath}" for c in trial_cutoffs(trial)]


def cutoff_pairs(trial):
    """Consecutive (earlier, later) cutoffs of a trial, in trial-file order."""
    cutoffs = trial_cutoffs(trial)
    return list(zip(cutoffs, cutoffs[1:]))


def delivery_change_files(trial):
    """The delivery-comparison tables of every consecutive pair of cutoffs."""
    return [
        f"results/{trial}/changes/{a}_{b}/{name}.csv"
        for a, b in cutoff_pairs(trial)
        for name in ("summary", "records", "subjects")
    ]


def cutoff_figure_files(trial, ext="png"):
    return [f"results/{trial}/figures/{name}.{ext}" for name in CUTOFF_FIGURES]


def trial_output_files(trial):
    """Every cross-cutoff output of a trial, as its manifest lists them."""
    files = [
        f"results/{trial}/{name}" for name in ("cutoffs_params.yaml", "cutoffs.ipynb")
    ]
    files += [f"results/{trial}/cutoffs.html"]
    files += cutoff_figure_files(trial, "png") + cutoff_figure_files(trial, "svg")
    return files + delivery_change_files(trial)


def index_analyses():
    """What the index page shows of each analysis, in config order (the efficacy ARD files
    are the rule's inputs in the same order)."""
    return [
        {
            "trial": t,
            "title": TRIALS[t]["title"],
            "cutoff": c,
            "confirmation_required": TRIALS[t]["response"]["confirmation"]["required"],
            "report": f"{t}/{c}/report/{t}_{c}.html",
        }
        for t, c in analyses()
    ]


def report_targets():
    """Every trial report (HTML and executed notebook) and every cutoff comparison."""
    targets = per_analysis("results/{trial}/{cutoff}/report/{trial}_{cutoff}.html")
    targets += per_analysis("results/{trial}/{cutoff}/report/{trial}_{cutoff}.ipynb")
    targets += [f"results/{t}/cutoffs.html" for t in TRIALS]
    targets += [f"results/{t}/manifest.json" for t in TRIALS]
    targets += ["results/index.html", "results/manifest.json"]
    return targets


def all_targets():
    targets = []
    targets += per_analysis("results/{trial}/{cutoff}/data_issues.csv")
    targets += per_analysis("results/{trial}/{cutoff}/ingest_summary.csv")
    targets += per_analysis("results/{trial}/{cutoff}/manifest.json")
    targets += report_targets()
    return targets
