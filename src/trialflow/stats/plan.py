"""A Phase II design from a mapping of options (one entry of a trial file's design), the
sentence that states it with its operating characteristics, and the paper that defines it.

`plan_design(options)` dispatches on ``kind``:

- ``simon_two_stage`` (``variant`` optimal | minimax | admissible, ``q``): `simon_two_stage`;
- ``single_stage_binomial``: `single_stage_binomial`;
- ``predictive`` (Lee & Liu 2008): `predictive_design` with ``prior`` [a, b], ``nmax``,
  ``theta_t``, ``theta_l``, ``theta_u``, ``first``;
- ``bop2`` (Zhou, Lee & Yuan 2017): `bop2_calibrate` with ``nmax``, ``interims``, ``alpha``
  and an optional ``prior``;
- ``one_sample_logrank``: the test against ``historical_median_months``; with
  ``target_median_months``, ``accrual_months`` and ``followup_months`` also the planned
  sample size (`one_sample_logrank_sample_size`, ``variance`` standard | wu).

The options arrive complete (the trial-file schema holds their defaults); a missing required
value raises `ValueError` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trialflow.stats.bop2 import bop2_calibrate
from trialflow.stats.logrank_design import one_sample_logrank_sample_size
from trialflow.stats.predictive import predictive_design
from trialflow.stats.simon import simon_two_stage
from trialflow.stats.single_stage import single_stage_binomial

DESIGN_KINDS: tuple[str, ...] = (
    "simon_two_stage",
    "single_stage_binomial",
    "predictive",
    "bop2",
    "one_sample_logrank",
)

REFERENCES: dict[str, str] = {
    "simon": "Simon R. Optimal two-stage designs for phase II clinical trials. Controlled "
    "Clinical Trials 1989;10:1–10.",
    "admissible": "Jung SH, Lee T, Kim K, George SL. Admissible two-stage designs for phase II "
    "cancer clinical trials. Statistics in Medicine 2004;23:561–569.",
    "koyama_chen": "Koyama T, Chen H. Proper inference from Simon's two-stage designs. "
    "Statistics in Medicine 2008;27:3145–3154.",
    "jung_kim": "Jung SH, Kim KM. On the estimation of the binomial probability in multistage "
    "clinical trials. Statistics in Medicine 2004;23:881–896.",
    "single_stage": "A'Hern RP. Sample size tables for exact single-stage phase II designs. "
    "Statistics in Medicine 2001;20:859–866.",
    "predictive": "Lee JJ, Liu DD. A predictive probability design for phase II cancer "
    "clinical trials. Clinical Trials 2008;5:93–106.",
    "bop2": "Zhou H, Lee JJ, Yuan Y. BOP2: Bayesian optimal design for phase II clinical "
    "trials with simple and complex endpoints. Statistics in Medicine 2017;36:3302–3314.",
    "logrank": "Finkelstein DM, Muzikansky A, Schoenfeld DA. Comparing survival of a sample "
    "to that of a standard population. Journal of the National Cancer Institute "
    "2003;95:1434–1439.",
    "wu": "Wu J. Sample size calculation for the one-sample log-rank test. Pharmaceutical "
    "Statistics 2015;14:26–33.",
}


def references_for(design: Mapping[str, Any]) -> list[str]:
    """The references a report's Methods cites for a planned design (`plan_design`)."""
    kind = design["kind"]
    if kind == "simon_two_stage":
        keys = ["simon"] + (["admissible"] if design.get("variant") == "admissible" else [])
        keys += ["koyama_chen", "jung_kim"]
    elif kind == "single_stage_binomial":
        keys = ["single_stage"]
    elif kind == "predictive":
        keys = ["predictive"]
    elif kind == "bop2":
        keys = ["bop2"]
    else:
        # Wu (2015) for the modified statistic and for any planned sample size
        wu = design.get("variance") == "wu" or design.get("n") is not None
        keys = ["logrank"] + (["wu"] if wu else [])
    return [REFERENCES[k] for k in keys]


def _need(options: Mapping[str, Any], key: str) -> Any:
    value = options.get(key)
    if value is None:
        raise ValueError(f"design.{key}: a value is required for kind {options.get('kind')}")
    return value


def _prior(options: Mapping[str, Any], default: tuple[float, float] | None) -> tuple:
    prior = options.get("prior")
    if prior is None:
        if default is None:
            raise ValueError(f"design.prior: a value is required for kind {options['kind']}")
        return default
    if len(prior) != 2:
        raise ValueError(f"design.prior: expected [a, b], got {prior!r}")
    return float(prior[0]), float(prior[1])


def plan_design(options: Mapping[str, Any]) -> dict[str, Any]:
    """The planned design for one set of design options (see the module docstring). The
    result holds the design's own keys plus ``kind`` (and ``variant`` for Simon)."""
    kind = options.get("kind")
    if kind not in DESIGN_KINDS:
        raise ValueError(f"design.kind: unknown kind {kind!r} (expected {', '.join(DESIGN_KINDS)})")
    if kind == "simon_two_stage":
        variant = options.get("variant", "optimal")
        d = simon_two_stage(
            float(_need(options, "p0")),
            float(_need(options, "p1")),
            float(_need(options, "alpha")),
            float(_need(options, "power")),
            kind=variant,
            q=options.get("q") if variant == "admissible" else None,
        )
        return {**d, "kind": kind, "variant": variant}
    if kind == "single_stage_binomial":
        d = single_stage_binomial(
            float(_need(options, "p0")),
            float(_need(options, "p1")),
            float(_need(options, "alpha")),
            float(_need(options, "power")),
        )
        return {**d, "kind": kind}
    if kind == "predictive":
        a, b = _prior(options, None)
        d = predictive_design(
            p0=float(_need(options, "p0")),
            p1=float(_need(options, "p1")),
            a=a,
            b=b,
            nmax=int(_need(options, "nmax")),
            theta_t=float(_need(options, "theta_t")),
            theta_l=float(_need(options, "theta_l")),
            theta_u=float(_need(options, "theta_u")),
            first=int(_need(options, "first")),
        )
        return {**d, "kind": kind, "first": int(options["first"])}
    if kind == "bop2":
        p0 = float(_need(options, "p0"))
        a, b = _prior(options, (p0, 1.0 - p0))
        d = bop2_calibrate(
            p0=p0,
            p1=float(_need(options, "p1")),
            nmax=int(_need(options, "nmax")),
            interims=[int(v) for v in _need(options, "interims")],
            alpha=float(_need(options, "alpha")),
            a=a,
            b=b,
        )
        return {**d, "kind": kind}
    # one_sample_logrank
    out: dict[str, Any] = {
        "kind": kind,
        "median0": float(_need(options, "historical_median_months")),
        "alpha": float(_need(options, "alpha")),
        "variance": options.get("variance", "standard"),
        "n": None,
        "events": None,
    }
    target = options.get("target_median_months")
    accrual, follow = options.get("accrual_months"), options.get("followup_months")
    if target is not None and accrual is not None and follow is not None:
        ss = one_sample_logrank_sample_size(
            median0=out["median0"],
            median1=float(target),
            accrual=float(accrual),
            followup=float(follow),
            alpha=out["alpha"],
            power=float(_need(options, "power")),
            variance=out["variance"],
        )
        out |= {
            "median1": float(target),
            "power": float(options["power"]),
            "accrual": float(accrual),
            "followup": float(follow),
            "n": ss["n"],
            "events": ss["events"],
        }
    return out


def _pct(p: float) -> str:
    return f"{round(100.0 * float(p), 6):g}%"


def _stops(bounds: list[dict]) -> str:
    parts = [
        f"≤ {b['stop_if_responses_at_most']}/{b['n']}"
        for b in bounds[:-1]
        if b["stop_if_responses_at_most"] is not None
    ]
    return ", ".join(parts) if parts else "none"


def describe_design(design: Mapping[str, Any]) -> str:
    """One sentence naming the design and its operating characteristics (without a final
    full stop, so that a decision can follow)."""
    kind = design["kind"]
    if kind == "simon_two_stage":
        return (
            f"Simon {design['variant']} two-stage design (stop if ≤ {design['r1']} of the first "
            f"{design['n1']} respond, promising if > {design['r']} of {design['n']}; type I "
            f"error {design['alpha']:.3f} at p0 = {_pct(design['p0'])}, power "
            f"{design['power']:.3f} at p1 = {_pct(design['p1'])}, PET0 {design['pet0']:.2f}, "
            f"EN0 {design['en0']:.1f})"
        )
    if kind == "single_stage_binomial":
        return (
            f"exact single-stage design (promising if > {design['r']} of {design['n']} "
            f"respond; type I error {design['alpha']:.3f} at p0 = {_pct(design['p0'])}, power "
            f"{design['power']:.3f} at p1 = {_pct(design['p1'])})"
        )
    if kind in ("predictive", "bop2"):
        last = design["boundaries"][-1]
        name = (
            f"Lee & Liu predictive probability design (θ_T = {design['theta_t']:g}, θ_L = "
            f"{design['theta_l']:g}, Beta({design['prior_a']:g}, {design['prior_b']:g}) prior"
            if kind == "predictive"
            else f"BOP2 design (λ = {design['lambda']:g}, γ = {design['gamma']:g}"
        )
        return (
            f"{name}; up to {design['nmax']} subjects, futility stops at {_stops(design['boundaries'])}, "
            f"promising if > {last['stop_if_responses_at_most']} of {last['n']}; type I error "
            f"{design['alpha']:.3f} at p0 = {_pct(design['p0'])}, power {design['power']:.3f} "
            f"at p1 = {_pct(design['p1'])}, PET0 {design['pet0']:.2f}, EN0 {design['en0']:.1f})"
        )
    text = (
        f"one-sample log-rank test ({design['variance']} variance) against a historical "
        f"exponential median of {design['median0']:g} months at one-sided alpha "
        f"{design['alpha']:g}"
    )
    if design.get("n") is not None:
        text += (
            f" ({design['n']} subjects and {design['events']} events for power "
            f"{design['power']:g} at a median of {design['median1']:g} months, "
            f"{design['accrual']:g} months' accrual and {design['followup']:g} months' "
            "follow-up)"
        )
    return text
