"""`trialflow design`: plan a single-arm Phase II trial before any data exist.

    trialflow design simon --p0 P0 --p1 P1 --alpha A --power B --kind optimal|minimax|admissible
    trialflow design simon-inference --r1 R1 --n1 N1 --r R --n N --p0 P0 --responses X [--stage 1|2]
    trialflow design predprob --p0 P0 --theta-t T --prior A,B --nmax N --n n --responses x
    trialflow design predictive --p0 P0 --p1 P1 --prior A,B --nmax N --theta-t T --theta-l L
                                --theta-u U --first F
    trialflow design bop2 --p0 P0 --p1 P1 --nmax N --interims n1,n2,... --alpha A
    trialflow design logrank --median0 M0 --median1 M1 --accrual-months A --followup-months F
                             --alpha A --power B [--variance standard|wu]

Each prints a readable table, or with ``--json`` one JSON object with sorted keys.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from trialflow.errors import TrialflowError


class DesignArgumentError(TrialflowError):
    """Arguments that describe no valid design."""


def _prior(text: str) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected A,B (two numbers), got {text!r}") from None
    return a, b


def _int_list(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected whole numbers separated by commas, got {text!r}"
        ) from None


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4f}"
    return "-" if v is None else str(v)


def _table(rows: list[tuple[str, Any]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {_fmt(v)}" for k, v in rows)


def _boundary_table(bounds: list[dict]) -> str:
    lines = ["n    stop if responses <="]
    for b in bounds:
        line = f"{b['n']:<4} {_fmt(b['stop_if_responses_at_most'])}"
        if "stop_for_efficacy_if_responses_at_least" in b:
            line += f"   efficacy if >= {_fmt(b['stop_for_efficacy_if_responses_at_least'])}"
        lines.append(line)
    return "\n".join(lines)


# --- the sub-commands: each returns (JSON object, readable text) -----------------------------


def _simon(args: argparse.Namespace) -> tuple[dict, str]:
    from trialflow.stats.simon import simon_admissible, simon_two_stage

    d = simon_two_stage(
        args.p0, args.p1, args.alpha, args.power, kind=args.kind, nmax=args.nmax, q=args.q
    )
    keys = ("r1", "n1", "r", "n", "en0", "pet0", "alpha", "power")
    out = {k: d[k] for k in keys}
    text = _table(
        [
            ("design", f"Simon two-stage, {args.kind}"),
            ("stage 1", f"stop if responses <= {d['r1']} of {d['n1']}"),
            ("final", f"promising if responses > {d['r']} of {d['n']}"),
            ("EN0", d["en0"]),
            ("PET0", d["pet0"]),
            ("alpha (attained)", d["alpha"]),
            ("power (attained)", d["power"]),
        ]
    )
    if args.kind == "admissible":
        lines = ["", "admissible designs (q: weight on n in q*n + (1-q)*EN0)"]
        for a in simon_admissible(args.p0, args.p1, args.alpha, args.power, nmax=args.nmax):
            lines.append(
                f"  {a['r1']}/{a['n1']}, {a['r']}/{a['n']}  EN0 {a['en0']:.2f}  "
                f"q in [{a['q_lower']:.3f}, {a['q_upper']:.3f}]"
            )
        text += "\n" + "\n".join(lines)
    return out, text


def _simon_inference(args: argparse.Namespace) -> tuple[dict, str]:
    from trialflow.stats.simon_inference import simon_inference

    out = simon_inference(
        args.responses,
        args.stage,
        r1=args.r1,
        n1=args.n1,
        r=args.r,
        n=args.n,
        p0=args.p0,
        conf_level=args.conf_level,
    )
    level = f"{100 * args.conf_level:g}%"
    text = _table(
        [
            ("outcome", f"stage {args.stage}, {args.responses} responses"),
            ("p-value (stage-wise ordering)", out["p_value"]),
            ("UMVUE", out["umvue"]),
            (f"{level} CI (stage-wise)", f"{out['ci_lower']:.4f} to {out['ci_upper']:.4f}"),
        ]
    )
    return out, text


def _predprob(args: argparse.Namespace) -> tuple[dict, str]:
    from trialflow.stats.predictive import posterior_probability, predictive_probability

    a, b = args.prior
    out = {
        "posterior_probability": posterior_probability(
            args.responses, args.n, p0=args.p0, a=a, b=b
        ),
        "predictive_probability": predictive_probability(
            args.responses, args.n, nmax=args.nmax, p0=args.p0, theta_t=args.theta_t, a=a, b=b
        ),
    }
    text = _table(
        [
            ("data", f"{args.responses} responses in {args.n} of {args.nmax}"),
            (f"P(p > {args.p0:g} | data)", out["posterior_probability"]),
            ("predictive probability of success", out["predictive_probability"]),
        ]
    )
    return out, text


def _predictive(args: argparse.Namespace) -> tuple[dict, str]:
    from trialflow.stats.predictive import monitoring_looks, predictive_design

    a, b = args.prior
    d = predictive_design(
        p0=args.p0,
        p1=args.p1,
        a=a,
        b=b,
        nmax=args.nmax,
        theta_t=args.theta_t,
        theta_l=args.theta_l,
        theta_u=args.theta_u,
        looks=monitoring_looks(args.first, args.nmax, args.step),
    )
    out = {k: d[k] for k in ("boundaries", "alpha", "power", "pet0", "en0")}
    text = _table(
        [
            ("design", "predictive probability (Lee & Liu 2008)"),
            ("alpha", d["alpha"]),
            ("power", d["power"]),
            ("PET0", d["pet0"]),
            ("EN0", d["en0"]),
        ]
    )
    return out, text + "\n" + _boundary_table(d["boundaries"])


def _bop2(args: argparse.Namespace) -> tuple[dict, str]:
    from trialflow.stats.bop2 import bop2_calibrate

    a, b = args.prior if args.prior is not None else (None, None)
    d = bop2_calibrate(
        p0=args.p0,
        p1=args.p1,
        nmax=args.nmax,
        interims=args.interims,
        alpha=args.alpha,
        a=a,
        b=b,
    )
    out = {k: d[k] for k in ("lambda", "gamma", "boundaries", "alpha", "power", "pet0", "en0")}
    text = _table(
        [
            ("design", "BOP2 (Zhou, Lee & Yuan 2017)"),
            ("lambda", d["lambda"]),
            ("gamma", d["gamma"]),
            ("alpha", d["alpha"]),
            ("power", d["power"]),
            ("PET0", d["pet0"]),
            ("EN0", d["en0"]),
        ]
    )
    return out, text + "\n" + _boundary_table(d["boundaries"])


def _logrank(args: argparse.Namespace) -> tuple[dict, str]:
    from trialflow.stats.logrank_design import one_sample_logrank_sample_size

    d = one_sample_logrank_sample_size(
        median0=args.median0,
        median1=args.median1,
        accrual=args.accrual_months,
        followup=args.followup_months,
        alpha=args.alpha,
        power=args.power,
        variance=args.variance,
        shape=args.shape,
    )
    out = {"n": d["n"], "events": d["events"]}
    text = _table(
        [
            ("design", f"one-sample log-rank test, {args.variance} variance"),
            ("subjects", d["n"]),
            ("events expected", d["events"]),
            ("P(event) under H1", d["omega1"]),
        ]
    )
    return out, text


COMMANDS: dict[str, Callable[[argparse.Namespace], tuple[dict, str]]] = {
    "simon": _simon,
    "simon-inference": _simon_inference,
    "predprob": _predprob,
    "predictive": _predictive,
    "bop2": _bop2,
    "logrank": _logrank,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `design` sub-commands to ``parser`` (the `trialflow design` parser)."""
    sub = parser.add_subparsers(dest="design_command", required=True)

    def new(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("--json", action="store_true", help="print one JSON object")
        return p

    p = new("simon", "Simon two-stage design (Simon 1989; Jung et al. 2004)")
    p.add_argument("--p0", type=float, required=True)
    p.add_argument("--p1", type=float, required=True)
    p.add_argument("--alpha", type=float, required=True)
    p.add_argument("--power", type=float, required=True)
    p.add_argument("--kind", choices=["optimal", "minimax", "admissible"], default="optimal")
    p.add_argument("--q", type=float, default=None, help="admissible: weight on n (0.5)")
    p.add_argument("--nmax", type=int, default=None, help="largest n searched")

    p = new("simon-inference", "p-value, UMVUE and CI after a Simon design")
    for name in ("--r1", "--n1", "--r", "--n"):
        p.add_argument(name, type=int, required=True)
    p.add_argument("--p0", type=float, required=True)
    p.add_argument(
        "--responses", type=int, required=True, help="stage-1 count with --stage 1, else total"
    )
    p.add_argument("--stage", type=int, choices=[1, 2], default=2)
    p.add_argument("--conf-level", type=float, default=0.95)

    p = new("predprob", "posterior and predictive probability (Lee & Liu 2008)")
    p.add_argument("--p0", type=float, required=True)
    p.add_argument("--theta-t", type=float, required=True)
    p.add_argument("--prior", type=_prior, required=True, metavar="A,B")
    p.add_argument("--nmax", type=int, required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--responses", type=int, required=True)

    p = new("predictive", "predictive probability design (Lee & Liu 2008)")
    p.add_argument("--p0", type=float, required=True)
    p.add_argument("--p1", type=float, required=True)
    p.add_argument("--prior", type=_prior, required=True, metavar="A,B")
    p.add_argument("--nmax", type=int, required=True)
    p.add_argument("--theta-t", type=float, required=True)
    p.add_argument("--theta-l", type=float, required=True)
    p.add_argument("--theta-u", type=float, required=True)
    p.add_argument("--first", type=int, required=True, help="first look (subjects)")
    p.add_argument("--step", type=int, default=1, help="subjects between looks (1)")

    p = new("bop2", "BOP2 for a binary endpoint (Zhou, Lee & Yuan 2017)")
    p.add_argument("--p0", type=float, required=True)
    p.add_argument("--p1", type=float, required=True)
    p.add_argument("--nmax", type=int, required=True)
    p.add_argument("--interims", type=_int_list, required=True, metavar="n1,n2,...")
    p.add_argument("--alpha", type=float, required=True)
    p.add_argument("--prior", type=_prior, default=None, metavar="A,B", help="(p0, 1 - p0)")

    p = new("logrank", "one-sample log-rank sample size (Wu 2015)")
    p.add_argument("--median0", type=float, required=True)
    p.add_argument("--median1", type=float, required=True)
    p.add_argument("--accrual-months", type=float, required=True)
    p.add_argument("--followup-months", type=float, required=True)
    p.add_argument("--alpha", type=float, required=True)
    p.add_argument("--power", type=float, required=True)
    p.add_argument("--variance", choices=["standard", "wu"], default="standard")
    p.add_argument("--shape", type=float, default=1.0, help="Weibull shape (1: exponential)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run one `trialflow design` sub-command; bad arguments end with one line."""
    try:
        out, text = COMMANDS[args.design_command](args)
    except ValueError as exc:
        raise DesignArgumentError(f"design {args.design_command}: {exc}") from None
    if args.json:
        sys.stdout.write(json.dumps(out, sort_keys=True) + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0
