"""Support for the thin Snakemake scripts in `workflow/scripts/`.

`run_script(main)` sends log output to the rule's log file and turns a `TrialflowError` into
one line on stderr and in the log, with a non-zero exit, instead of a traceback. Outputs
written before the failure are removed by Snakemake, so no partial output survives.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from trialflow.errors import TrialflowError


def run_script(main: Callable[[Any], None], smk: Any) -> None:
    """Run `main(smk)` with logging to the rule's log and one-line errors."""
    log_path = smk.log[0] if len(smk.log) else None
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(message)s", handlers=handlers, force=True
    )
    try:
        main(smk)
    except TrialflowError as exc:
        logging.getLogger("trialflow").error("%s", exc)
        print(f"trialflow: error: {exc}", file=sys.stderr)
        sys.exit(1)


def load_adam_specs(paths: Any) -> Any:
    """`AdamSpecs` from the spec files of `workflow/schemas/adam/` (`codelists.yaml` and one
    `<dataset>.yaml` per dataset; other files are ignored)."""
    from pathlib import Path

    from trialflow.adam.specs import parse_specs
    from trialflow.io import read_yaml

    files = sorted(Path(p) for p in paths)
    codelists = [p for p in files if p.name == "codelists.yaml"]
    datasets = {
        f"workflow/schemas/adam/{p.name}": read_yaml(p)
        for p in files
        if p.suffix == ".yaml" and p.name != "codelists.yaml"
    }
    return parse_specs(datasets, read_yaml(codelists[0]) if codelists else {})


def write_xpt_dataset(df: Any, xpt_path: Any, *, specs: Any, name: str) -> Any:
    """Write an analysis dataset as SAS XPT (v5) with the labels and formats of its ADaM spec
    (`specs`, from `load_adam_specs`), deterministic, and return what was written (an
    `XptDataset`). Columns outside the spec are logged when the spec allows them (they stay in
    the Parquet file only)."""
    import logging

    from trialflow.adam.xpt import xpt_dataset
    from trialflow.io import write_xpt

    xpt = xpt_dataset(df, specs[name])
    if xpt.dropped:
        logging.getLogger("trialflow").info(
            "%s: %d variable(s) outside the spec kept in Parquet only: %s",
            name,
            len(xpt.dropped),
            ", ".join(xpt.dropped),
        )
    write_xpt(
        xpt.frame,
        xpt_path,
        name=xpt.name,
        label=xpt.label,
        column_labels=xpt.column_labels,
        variable_format=xpt.formats,
    )
    return xpt


def read_sdtm(paths: Any) -> dict[str, Any]:
    """Read cleaned SDTM parquet files into {domain: DataFrame}, keyed by file stem."""
    from pathlib import Path

    from trialflow.io import read_parquet

    return {Path(p).stem: read_parquet(p) for p in paths}
