"""`trialflow verify` and `trialflow reproduce`: the commands' arguments. The auditor
(`trialflow.audit.verify`, with the trial-file loader) is imported only when a command runs,
so that other commands start fast."""

from __future__ import annotations

import argparse


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", help="an analysis folder, results/<trial>/<cutoff>")
    parser.add_argument("--root", help="project root (default: three levels above the folder)")
    parser.set_defaults(func=run_verify)


def add_reproduce_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", help="an analysis folder, results/<trial>/<cutoff>")
    parser.add_argument("--root", help="project root (default: three levels above the folder)")
    parser.add_argument("--workdir", help="new folder for the re-run (default: a temp folder)")
    parser.add_argument("--snakefile", help="the workflow's Snakefile (default: <root>/Snakefile)")
    parser.add_argument("--cores", type=int, default=2)
    parser.set_defaults(func=run_reproduce)


def run_verify(args: argparse.Namespace) -> int:
    """Run `trialflow verify` (`trialflow.audit.verify.run_verify`)."""
    from trialflow.audit import verify

    return verify.run_verify(args)


def run_reproduce(args: argparse.Namespace) -> int:
    """Run `trialflow reproduce` (`trialflow.audit.verify.run_reproduce`)."""
    from trialflow.audit import verify

    return verify.run_reproduce(args)
