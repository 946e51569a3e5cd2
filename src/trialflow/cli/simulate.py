"""`trialflow simulate`: the command's arguments. The simulator (with numpy and pandas) is
imported only when the command runs, so that other commands start fast."""

from __future__ import annotations

import argparse
from pathlib import Path

from trialflow.simulate.presets import PRESETS


def _parse_delivery(text: str) -> tuple[str, str]:
    parts = text.split(":")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected CUTOFF:DELIVERYDATE, got {text!r}")
    return parts[0].strip(), parts[1].strip()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `trialflow simulate` options to `parser`."""
    parser.description = (
        "Write simulated SDTM deliveries as CSV: OUT/<delivery date>/<domain>.csv, or with "
        "--bundled the committed deliveries of both bundled trials under OUT/<preset>/, or "
        "with --portfolio N a portfolio of N trials under the project root OUT."
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), help="trial to simulate")
    parser.add_argument("--seed", type=int, default=None, help="random seed (preset default)")
    parser.add_argument(
        "--n-subjects", type=int, default=None, help="number of subjects (preset default)"
    )
    parser.add_argument(
        "--delivery",
        action="append",
        type=_parse_delivery,
        default=None,
        metavar="CUTOFF:DELIVERYDATE",
        help="a delivery (repeatable); default: the preset's two",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (with --bundled default resources/raw)",
    )
    parser.add_argument(
        "--bundled",
        action="store_true",
        help="regenerate the bundled deliveries of every preset under OUT/<preset>/",
    )
    parser.add_argument(
        "--portfolio",
        type=int,
        default=None,
        metavar="N",
        help="write N simulated trials with 2-3 cutoffs each, their trial files and "
        "config/portfolio.yaml under OUT (a project root); --seed and --n-subjects apply",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run `trialflow simulate` (`trialflow.simulate.runner.run_cli`, or with --portfolio
    `trialflow.simulate.portfolio.run_portfolio_cli`); returns the exit code."""
    if args.portfolio is not None:
        from trialflow.simulate.portfolio import run_portfolio_cli

        return run_portfolio_cli(args)
    from trialflow.simulate.runner import run_cli

    return run_cli(args)
