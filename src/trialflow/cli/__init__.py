"""The `trialflow` command line: `trialflow simulate ...` and friends.

Every command's arguments are defined here and in the modules beside this one; a command
imports the library it needs (pandas, scipy, the trial-file loader) only when it runs, so
that each starts without loading the others'.
"""

from __future__ import annotations

import argparse
import sys

from trialflow.cli import audit, design, simulate
from trialflow.errors import TrialflowError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trialflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    simulate.add_arguments(sub.add_parser("simulate", help="write simulated SDTM deliveries"))
    audit.add_verify_arguments(
        sub.add_parser("verify", help="re-hash an analysis against its manifest")
    )
    audit.add_reproduce_arguments(
        sub.add_parser("reproduce", help="re-run an analysis and compare with its manifest")
    )
    design.add_arguments(sub.add_parser("design", help="plan a Phase II design"))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TrialflowError as exc:
        print(f"trialflow: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
