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


def write_adam(df: Any, parquet_path: str, xpt_path: str, *, name: str, label: str = "") -> None:
    """Write an analysis dataset as Parquet and SAS XPT (v5), both deterministic."""
    from trialflow.adam.xpt import xpt_frame
    from trialflow.io import write_parquet, write_xpt

    write_parquet(df, parquet_path)
    write_xpt(xpt_frame(df, name=name), xpt_path, name=name, label=label)


def read_sdtm(paths: Any) -> dict[str, Any]:
    """Read cleaned SDTM parquet files into {domain: DataFrame}, keyed by file stem."""
    from pathlib import Path

    from trialflow.io import read_parquet

    return {Path(p).stem: read_parquet(p) for p in paths}
