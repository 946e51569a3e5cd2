"""The latent trial: subjects, tumours, treatment, safety and follow-up, as "truth" tables.

Every table carries hidden columns (names start with "_") that the delivery snapshot uses:
`_avail` is the day number (days since 1970-01-01) on which the record exists in the sponsor's
database (event date plus a data-entry lag); columns such as `_end_avail` say when a value that
completes a record (an end date, a death) becomes known. Everything is vectorized over
subjects, lesions, visits and records with numpy.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from trialflow.simulate.presets import TrialPreset

EPOCH = np.datetime64("1970-01-01", "D")
LN2 = float(np.log(2.0))
BIG = 1_000_000.0  # key stride: subject index * BIG + day (days stay far below BIG)

# response codes
CR, PR, SD, PD, NE, NONCRNONPD = 0, 1, 2, 3, 4, 5
RESP_TEXT = np.array(["CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD"], dtype=object)

# reasons for the end of treatment
EOT_NONE, EOT_PD, EOT_WD, EOT_PHYS, EOT_DEATH, EOT_AE = 0, 1, 2, 3, 4, 5
EOT_TEXT = np.array(
    [
        "",
        "PROGRESSIVE DISEASE",
        "WITHDRAWAL BY SUBJECT",
        "PHYSICIAN DECISION",
        "DEATH",
        "ADVERSE EVENT",
    ],
    dtype=object,
)
EOT_TERM = np.array(
    [
        "",
        "RADIOLOGICAL DISEASE PROGRESSION",
        "SUBJECT WITHDREW FROM TREATMENT",
        "CLINICAL DETERIORATION, INVESTIGATOR DECISION",
        "DEATH",
        "ADVERSE EVENT",
    ],
    dtype=object,
)

TARGET_ORGANS = np.array(["LIVER", "LUNG", "LYMPH NODE", "BREAST", "CHEST WALL", "SKIN"])
TARGET_ORGAN_W = np.array([0.30, 0.24, 0.24, 0.10, 0.07, 0.05])
NONTARGET_ORGANS = np.array(["BONE", "LIVER", "LUNG", "LYMPH NODE", "PLEURA", "BREAST"])
NONTARGET_ORGAN_W = np.array([0.35, 0.15, 0.15, 0.15, 0.12, 0.08])
NEW_ORGANS = np.array(["LIVER", "LUNG", "BONE", "LYMPH NODE", "BRAIN", "PLEURA"])
NEW_ORGAN_W = np.array([0.30, 0.22, 0.22, 0.12, 0.08, 0.06])


def day(text: str) -> int:
    """Day number (days since 1970-01-01) of an ISO date."""
    return int((np.datetime64(text, "D") - EPOCH).astype(np.int64))


def iso(days: np.ndarray) -> np.ndarray:
    """ISO 8601 dates for day numbers; non-finite days give an empty string."""
    days = np.asarray(days, dtype=float)
    out = np.full(days.shape, "", dtype=object)
    ok = np.isfinite(days)
    if ok.any():
        out[ok] = np.datetime_as_string(
            EPOCH + days[ok].astype(np.int64).astype("timedelta64[D]"), unit="D"
        ).astype(object)
    return out


def _lag(rng: np.random.Generator, size: int | tuple[int, ...], mean: float = 8.0) -> np.ndarray:
    """Data-entry lag in days (geometric, mean about `mean` - 1)."""
    return rng.geometric(1.0 / mean, size).astype(float) - 1.0


def _counts_by_share(shares: np.ndarray, n: int) -> np.ndarray:
    """Largest-remainder integer allocation of n by shares."""
    raw = shares / shares.sum() * n
    counts = np.floor(raw).astype(int)
    rest = n - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


def _top_k(rng: np.random.Generator, weights: np.ndarray, rows: int, k: np.ndarray) -> tuple:
    """Per row, k weighted draws without replacement (Gumbel top-k); returns (row, item)."""
    keys = np.log(weights)[None, :] + rng.gumbel(size=(rows, weights.size))
    order = np.argsort(-keys, axis=1, kind="stable")
    take = np.arange(weights.size)[None, :] < k[:, None]
    row = np.broadcast_to(np.arange(rows)[:, None], order.shape)[take]
    return row, order[take]


def _group_sum(values: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    """Row sums of a (rows x visits) array by sorted group index 0..n-1 (empty groups give 0).

    Values must be finite (cumulative sums would carry a NaN into later groups)."""
    csum = np.concatenate([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)], axis=0)
    lo = np.searchsorted(group, np.arange(n), side="left")
    hi = np.searchsorted(group, np.arange(n), side="right")
    return csum[hi] - csum[lo]


def _count_before(ev_subj, ev_time, q_subj, q_lo, q_hi) -> np.ndarray:
    """Per query, the number of events of the same subject with q_lo <= time < q_hi."""
    keys = np.sort(ev_subj * BIG + ev_time)
    lo = np.searchsorted(keys, q_subj * BIG + q_lo, side="left")
    hi = np.searchsorted(keys, q_subj * BIG + q_hi, side="left")
    return hi - lo


# --------------------------------------------------------------------------------------------
# subjects
# --------------------------------------------------------------------------------------------


def _subjects(p: TrialPreset, rng: np.random.Generator, n: int) -> SimpleNamespace:
    s = SimpleNamespace(n=n)
    start, end = day(p.enrol_start), day(p.enrol_end)
    s.consent = np.sort(start + np.floor(rng.random(n) * (end - start + 1)))
    s.enrol = s.consent + rng.integers(3, 22, n)
    s.never = rng.random(n) < p.p_never_dosed
    fd = s.enrol + rng.integers(0, 6, n)
    s.ref = np.where(s.never, s.enrol + 3, fd).astype(float)  # day 0 of the study timeline
    s.fd = np.where(s.never, np.nan, fd)

    site_w = 1.0 / np.sqrt(np.arange(1, len(p.sites) + 1))
    s.site = rng.choice(len(p.sites), n, p=site_w / site_w.sum())
    order = np.argsort(s.site, kind="stable")  # consent order within a site
    first = np.searchsorted(s.site[order], s.site[order], side="left")
    num = np.empty(n, dtype=int)
    num[order] = np.arange(n) - first + 1
    width = max(4, len(str(int(num.max())))) if n else 4
    sites = np.array(p.sites, dtype=object)
    s.siteid = sites[s.site]
    s.subjid = np.array(
        [f"{a}-{b:0{width}d}" for a, b in zip(s.siteid, num, strict=True)], dtype=object
    )
    s.usubjid = np.array([f"{p.studyid}-{x}" for x in s.subjid], dtype=object)

    shares = np.array([c.share for c in p.cohorts])
    s.arm = rng.permutation(np.repeat(np.arange(len(p.cohorts)), _counts_by_share(shares, n)))

    age_years = np.clip(np.round(rng.normal(p.age_mean, p.age_sd, n)), 24, 80)
    s.birth = s.consent - np.floor(age_years * 365.25 + rng.random(n) * 364)
    b = pd.to_datetime(iso(s.birth))
    c = pd.to_datetime(iso(s.consent))
    before = (c.month < b.month) | ((c.month == b.month) & (c.day < b.day))
    s.age = (c.year - b.year - before.astype(int)).to_numpy()
    s.ecog = rng.choice(3, n, p=np.array(p.ecog_probs))
    s.priorln = rng.choice(np.array(p.prior_lines), n, p=np.array(p.prior_line_probs))
    s.race = np.array(p.races, dtype=object)[rng.choice(len(p.races), n, p=p.race_probs)]
    s.ethnic = np.where(rng.random(n) < 0.03, "NOT REPORTED", "NOT HISPANIC OR LATINO")
    return s


# --------------------------------------------------------------------------------------------
# tumours: lesions, latent growth, measurements, RECIST 1.1 and the investigator's response
# --------------------------------------------------------------------------------------------


def _tumour(p: TrialPreset, rng: np.random.Generator, s: SimpleNamespace, horizon: int):
    n = s.n
    t = SimpleNamespace()
    coh = p.cohorts
    p_sens = np.array([c.p_sensitive for c in coh])[s.arm]
    d_s = np.array([c.decay_sensitive for c in coh])[s.arm]
    d_r = np.array([c.decay_resistant for c in coh])[s.arm]
    g_m = np.array([c.growth for c in coh])[s.arm]
    g_sd = np.array([c.growth_sd for c in coh])[s.arm]
    sens = rng.random(n) < p_sens
    z = rng.normal(size=(3, n))
    t.decay = np.where(sens, d_s * np.exp(0.35 * z[0]), d_r * np.exp(0.8 * z[1]))
    t.growth = g_m * np.exp(g_sd * z[2]) * np.where(sens, p.sensitive_growth_factor, 1.0)

    # target lesions: 1-5, at most two per organ (two slots per organ)
    t.n_target = rng.choice(np.arange(1, 6), n, p=[0.2, 0.3, 0.25, 0.15, 0.1])
    slot_w = np.repeat(TARGET_ORGAN_W, 2)
    lrow, litem = _top_k(rng, slot_w, n, t.n_target)
    t.l_subj = lrow
    t.l_organ = TARGET_ORGANS[litem // 2]
    t.l_nodal = t.l_organ == "LYMPH NODE"
    nl = lrow.size
    t.l_base = np.where(
        t.l_nodal, 15 + rng.lognormal(np.log(7), 0.6, nl), 10 + rng.lognormal(np.log(14), 0.6, nl)
    )
    t.l_base = np.minimum(t.l_base, 140.0)
    t.l_num = np.arange(nl) - np.searchsorted(lrow, lrow) + 1  # T01, T02, ... per subject
    t.l_decay = t.decay[lrow] * np.exp(0.25 * rng.normal(size=nl))
    t.l_growth = t.growth[lrow] * np.exp(0.25 * rng.normal(size=nl))

    # non-target lesions: 0-3, with a latent size that decides PRESENT/ABSENT
    t.n_nontarget = rng.choice(4, n, p=[0.3, 0.35, 0.25, 0.1])
    m_nt = int(t.n_nontarget.sum())
    t.nt_subj = np.repeat(np.arange(n), t.n_nontarget)
    t.nt_organ = NONTARGET_ORGANS[rng.choice(NONTARGET_ORGANS.size, m_nt, p=NONTARGET_ORGAN_W)]
    t.nt_num = np.arange(m_nt) - np.searchsorted(t.nt_subj, t.nt_subj) + 1
    t.nt_base = rng.lognormal(np.log(12), 0.5, m_nt)

    # visits: baseline (k = 0) within the screening window, then every interval with jitter
    h = horizon - s.ref
    iv = p.assessment_interval_days
    n_vis = max(1, int(np.nanmax(h, initial=0) // iv) + 2)
    t.n_vis = n_vis
    base_day = -(np.floor(rng.random(n) * (s.ref - s.consent)) + 1)
    jit = rng.integers(-3, 8, (n, n_vis))
    t.vday = np.concatenate(
        [base_day[:, None], iv * np.arange(1, n_vis + 1)[None, :] + jit], axis=1
    ).astype(float)
    K = n_vis + 1
    t.missed = rng.random((n, K)) < p.p_missed_visit
    t.missed[:, 0] = False

    def latent(base, decay, growth, tt):
        tt = np.maximum(tt, 0.0)
        f = np.exp(-decay[:, None] * tt) + np.exp(np.minimum(growth[:, None] * tt, 5.0)) - 1
        return base[:, None] * np.minimum(f, 8.0)

    true = latent(t.l_base, t.l_decay, t.l_growth, t.vday[t.l_subj])
    true = np.where(t.l_nodal[:, None], np.maximum(true, 5.5), true)
    meas = true * np.exp(0.05 * rng.normal(size=true.shape)) + 0.7 * rng.normal(size=true.shape)
    meas[:, 0] = np.maximum(meas[:, 0], np.where(t.l_nodal, 15.0, 10.0))  # eligibility minimum
    tstm_draw = rng.random(true.shape) < 0.5
    gone = (~t.l_nodal[:, None]) & (meas < 3)
    t.tstm = (~t.l_nodal[:, None]) & (meas >= 3) & (meas < 5) & tstm_draw
    t.value = np.where(gone, 0.0, np.maximum(np.round(meas), 1.0))
    t.value = np.where(t.tstm, np.nan, t.value)
    t.not_done = rng.random(true.shape) < p.p_lesion_not_done
    t.not_done[:, 0] = False
    t.value = np.where(t.not_done, np.nan, t.value)

    # RECIST 1.1 on the measurements (TOO SMALL TO MEASURE counts as 5 mm)
    used = np.where(t.tstm, 5.0, t.value)  # NaN where not done
    sld = _group_sum(np.nan_to_num(used), lrow, n)
    sld[_group_sum(np.isnan(used).astype(float), lrow, n) > 0] = np.nan
    sld[t.missed] = np.nan
    lesion_cr = np.where(t.l_nodal[:, None], used < 10, used == 0) & ~t.not_done
    all_cr = _group_sum(lesion_cr.astype(float), lrow, n) == t.n_target[:, None]
    base = sld[:, [0]]
    nadir_prev = np.fmin.accumulate(sld, axis=1)
    nadir_prev = np.concatenate([nadir_prev[:, [0]], nadir_prev[:, :-1]], axis=1)
    with np.errstate(invalid="ignore"):
        t_pd = (sld >= 1.2 * nadir_prev) & (sld - nadir_prev >= 5)
        t_pr = sld <= 0.7 * base
    tr = np.full((n, K), SD)
    tr[t_pr] = PR
    tr[all_cr] = CR
    tr[t_pd] = PD
    tr[np.isnan(sld)] = NE
    t.sld = sld

    # non-targets: absent when the latent size falls below 5 mm; unequivocal progression hazard
    nt_d = t.decay[t.nt_subj] * np.exp(0.3 * rng.normal(size=m_nt))
    nt_g = t.growth[t.nt_subj] * np.exp(0.3 * rng.normal(size=m_nt))
    t.nt_absent = latent(t.nt_base, nt_d, nt_g, t.vday[t.nt_subj]) < 5
    t.nt_absent[:, 0] = False
    t.t_ntup = np.where(
        t.n_nontarget > 0, rng.exponential(1.0 / (p.p_nontarget_up_per_growth * t.growth)), np.inf
    )
    t.t_new = 14 + rng.exponential(1.0 / (p.p_new_lesion_per_growth * t.growth))
    nt_up = t.vday >= t.t_ntup[:, None]
    nt_all_absent = _group_sum(t.nt_absent.astype(float), t.nt_subj, n)
    nt_all_absent = (nt_all_absent == t.n_nontarget[:, None]) & (t.n_nontarget[:, None] > 0)
    nt = np.where(nt_up, PD, np.where(nt_all_absent, CR, NONCRNONPD))
    t.has_nt = t.n_nontarget > 0
    t.new = t.vday >= t.t_new[:, None]

    ovr = np.full((n, K), SD)
    ovr[(tr == CR) | (tr == PR)] = PR
    ovr[(tr == CR) & ((nt == CR) | ~t.has_nt[:, None])] = CR
    ovr[tr == NE] = NE
    ovr[(tr == PD) | (nt == PD & t.has_nt[:, None]) | t.new] = PD
    t.tr_derived, t.nt_resp, t.ovr_derived = tr, nt, ovr

    # the investigator mostly agrees; ~p_disagree of visits move one category
    inv_tr, inv_ovr = tr.copy(), ovr.copy()
    flip = rng.random((n, K)) < p.p_disagree
    flip[:, 0] = False
    u = rng.random((n, K))
    target_only_pd = (ovr == PD) & (tr == PD) & ~t.new & ~(nt_up & t.has_nt[:, None])
    rules = [
        (ovr == CR, PR, PR),
        (ovr == PR, SD, SD),
        ((ovr == SD) & (u < 0.6), PR, PR),
        ((ovr == SD) & (u >= 0.6), PD, PD),
        (target_only_pd, SD, SD),
    ]
    for cond, new_tr, new_ovr in rules:
        m = flip & cond
        inv_tr[m] = new_tr
        inv_ovr[m] = new_ovr
    t.inv_tr, t.inv_ovr = inv_tr, inv_ovr
    t.disagree = flip & (inv_ovr != ovr)

    is_pd = (inv_ovr == PD) & ~t.missed
    is_pd[:, 0] = False
    t.kstar = np.where(is_pd.any(axis=1), is_pd.argmax(axis=1), K)  # K: no progression
    t.t_pd = np.where(t.kstar < K, t.vday[np.arange(n), np.minimum(t.kstar, K - 1)], np.inf)
    t.t_pd[s.never] = np.inf
    return t


# --------------------------------------------------------------------------------------------
# conduct: adverse events, end of treatment, death, follow-up, dosing, subsequent therapy
# --------------------------------------------------------------------------------------------


def _conduct(p: TrialPreset, rng, s, t, horizon: int) -> SimpleNamespace:
    n = s.n
    c = SimpleNamespace()
    h = horizon - s.ref

    def expo(median, size=n):
        return rng.exponential(median / LN2, size) + 1.0

    t_wd = expo(p.withdraw_median)
    t_phys = expo(p.physician_median)
    t_dnat = expo(p.death_on_treatment_median)
    t_pot = np.minimum.reduce([t.t_pd, t_wd, t_phys, t_dnat])
    window = np.clip(np.minimum(t_pot, h), 1, None)
    window[s.never] = 0

    # adverse events (treatment-emergent), by profile
    prof = p.ae_profiles
    n_prof = len(prof)
    lam = -np.log1p(-np.array([a.incidence for a in prof])) / 2.0
    expo_cycles = np.sqrt(np.maximum(window / p.cycle_days, 0.5))
    counts = np.minimum(rng.poisson(lam[None, :] * expo_cycles[:, None]), 4)
    counts[s.never] = 0
    a_subj = np.repeat(np.repeat(np.arange(n), n_prof), counts.ravel())
    a_prof = np.repeat(np.tile(np.arange(n_prof), n), counts.ravel())
    m = a_subj.size
    onset = np.floor((window[a_subj] + 28) * rng.random(m) ** 1.5)
    cum = np.cumsum(np.array([a.grades for a in prof]), axis=1)
    cum[:, -1] = 1.0
    grade = 1 + (rng.random(m)[:, None] > cum[a_prof]).sum(axis=1)
    grade = np.minimum(grade, 5)
    dur = np.ceil(rng.lognormal(np.log(np.array([a.median_days for a in prof]))[a_prof], 0.8))
    dur = np.where(grade == 5, np.minimum(dur, 10), dur)
    related = rng.random(m) < np.array([a.p_related for a in prof])[a_prof]
    u = rng.random(m)
    acn = np.full(m, "DOSE NOT CHANGED", dtype=object)
    hi_rel = (grade >= 3) & related
    acn[hi_rel & (u >= 0.15)] = "DRUG INTERRUPTED"
    acn[hi_rel & (u >= 0.50)] = "DOSE REDUCED"
    acn[hi_rel & (u >= 0.90)] = "DRUG WITHDRAWN"
    g2 = (grade == 2) & related
    acn[g2 & (u >= 0.80)] = "DRUG INTERRUPTED"
    acn[g2 & (u >= 0.94)] = "DOSE REDUCED"
    acn[g2 & (u >= 0.99)] = "DRUG WITHDRAWN"
    acn[(grade >= 3) & ~related & (u >= 0.7)] = "DRUG INTERRUPTED"
    acn[grade == 5] = "DRUG WITHDRAWN"

    t_aewd = np.full(n, np.inf)
    wd = acn == "DRUG WITHDRAWN"
    np.minimum.at(t_aewd, a_subj[wd], onset[wd] + 1 + (grade[wd] < 5) * 2)
    t_g5 = np.full(n, np.inf)
    g5 = grade == 5
    np.minimum.at(t_g5, a_subj[g5], onset[g5] + dur[g5])

    cand = np.stack([np.full(n, np.inf), t.t_pd, t_wd, t_phys, t_dnat, t_aewd, t_g5])
    reason = cand.argmin(axis=0)
    t_eot = np.maximum(cand.min(axis=0), 1.0)
    reason = np.where(reason == 6, EOT_DEATH, reason)  # grade-5 AE: death
    ongoing = t_eot > h
    reason[ongoing | s.never] = EOT_NONE
    t_eot[ongoing | s.never] = np.inf
    c.t_eot, c.reason = t_eot, reason

    pps = np.array([co.pps_median for co in p.cohorts])[s.arm]
    after = t_eot + rng.exponential(pps / LN2) + 5
    t_death = np.where(reason == EOT_DEATH, np.minimum(t_dnat, t_g5), after)
    t_death = np.where(ongoing, np.minimum(t_dnat, t_g5), t_death)
    g5_post = np.isfinite(t_g5) & (t_g5 > t_eot)  # fatal AE during the 30-day window
    t_death = np.where(g5_post & (t_g5 < t_death), t_g5, t_death)
    t_death[s.never] = np.inf

    # end of study: full withdrawal, lost to follow-up, completed follow-up or death
    full_wd = (reason == EOT_WD) & (rng.random(n) < 0.5)
    ltfu_draw = rng.random(n) < p.p_lost_to_follow_up
    t_ltfu = t_eot + 30 + np.floor(rng.random(n) * 335)
    lost = ltfu_draw & ~full_wd & np.isfinite(t_eot) & (reason != EOT_DEATH) & (t_ltfu < t_death)
    t_complete = t_eot + p.follow_up_days
    eos = np.full(n, np.inf)
    eos_reason = np.full(n, "", dtype=object)
    death_obs = ~full_wd & ~lost & (t_death < t_complete)
    eos[death_obs] = t_death[death_obs]
    eos_reason[death_obs] = "DEATH"
    m_ = lost
    eos[m_], eos_reason[m_] = t_ltfu[m_], "LOST TO FOLLOW-UP"
    m_ = full_wd
    eos[m_], eos_reason[m_] = t_eot[m_], "WITHDRAWAL BY SUBJECT"
    m_ = ~full_wd & ~lost & ~death_obs & np.isfinite(t_complete)
    eos[m_], eos_reason[m_] = t_complete[m_], "COMPLETED"
    nd_wd = s.never
    eos[nd_wd] = rng.integers(-2, 8, int(nd_wd.sum()))
    eos_reason[nd_wd] = "WITHDRAWAL BY SUBJECT"
    c.t_death = np.where(death_obs, t_death, np.inf)
    c.t_death_true = t_death
    c.eos, c.eos_reason = eos, eos_reason

    # survival follow-up contacts every survival_contact_days after the end of treatment
    sc = p.survival_contact_days
    n_c = max(1, int(p.follow_up_days // sc) + 1)
    ctime = t_eot[:, None] + sc * np.arange(1, n_c + 1)[None, :] + rng.integers(-7, 8, (n, n_c))
    stop = np.minimum(eos, c.t_death) - 1
    stop = np.where(lost, t_ltfu - 60, stop)
    keep = np.isfinite(ctime) & (ctime <= stop[:, None]) & ~full_wd[:, None]
    c.contact_subj = np.broadcast_to(np.arange(n)[:, None], ctime.shape)[keep]
    c.contact_day = ctime[keep]

    # finalize adverse events
    keep = (onset <= t_eot[a_subj] + 30) & (onset < t_death[a_subj])
    keep &= onset <= window[a_subj] + 28
    end = onset + dur
    # only the AE that ended treatment keeps "DRUG WITHDRAWN"
    first_wd = wd & (onset + 1 + (grade < 5) * 2 == t_aewd[a_subj]) & (reason[a_subj] == EOT_AE)
    first_wd |= g5 & (reason[a_subj] == EOT_DEATH)
    acn = np.where(wd & ~first_wd, "DRUG INTERRUPTED", acn)
    acn = np.where(onset >= t_eot[a_subj], "NOT APPLICABLE", acn)
    acn = np.where(first_wd, "DRUG WITHDRAWN", acn)
    fatal = g5 & (end == t_death[a_subj])
    grade = np.where(g5 & ~fatal, 4, grade)
    ended = end < t_death[a_subj]
    end = np.where(fatal, t_death[a_subj], np.where(ended, end, np.inf))
    c.ae = SimpleNamespace(
        subj=a_subj[keep],
        prof=a_prof[keep],
        onset=onset[keep],
        end=end[keep],
        grade=grade[keep],
        related=related[keep],
        acn=acn[keep],
        fatal=fatal[keep],
    )
    c.t_aewd = t_aewd

    # dosing: cycles with delays, reductions after DOSE REDUCED, interruptions after DRUG INTERRUPTED
    ae = c.ae
    hmax = np.nanmax(np.where(np.isfinite(h), h, np.nan), initial=0)
    n_cyc = max(1, int(hmax // p.cycle_days) + 2)
    delay = np.where(rng.random((n, n_cyc)) < 0.10, 7, 0) + np.where(
        rng.random((n, n_cyc)) < 0.02, 7, 0
    )
    clen = p.cycle_days + delay
    cstart = np.concatenate([np.zeros((n, 1)), np.cumsum(clen, axis=1)[:, :-1]], axis=1)
    stop_dose = np.minimum(t_eot, h + 60)  # ongoing: dose through the horizon
    ckeep = (cstart < stop_dose[:, None]) & ~s.never[:, None]
    cs_subj = np.broadcast_to(np.arange(n)[:, None], cstart.shape)[ckeep]
    cs_start = cstart[ckeep]
    cs_num = np.broadcast_to(np.arange(1, n_cyc + 1)[None, :], cstart.shape)[ckeep]
    red = ae.acn == "DOSE REDUCED"
    n_red = _count_before(ae.subj[red], ae.onset[red] + 1, cs_subj, -1e5, cs_start)
    level = np.minimum(n_red, len(p.doses) - 1)
    intr = ae.acn == "DRUG INTERRUPTED"
    cs_int = (
        _count_before(ae.subj[intr], ae.onset[intr], cs_subj, cs_start, cs_start + p.cycle_days) > 0
    )
    if p.daily:
        lo, hi = p.dose_days
        a = rng.integers(2, max(3, hi - 2), cs_start.size)
        gap = rng.integers(2, 8, cs_start.size)
        # block 1: [lo, a) if interrupted else [lo, hi); block 2: [a + gap, hi) if interrupted
        b1s, b1e = cs_start + lo, cs_start + np.where(cs_int, a, hi) - 1
        b2s, b2e = cs_start + a + gap, cs_start + hi - 1
        has2 = cs_int & (a + gap < hi)
        ex_subj = np.concatenate([cs_subj, cs_subj[has2]])
        ex_st = np.concatenate([b1s, b2s[has2]])
        ex_en = np.concatenate([b1e, b2e[has2]])
        ex_lvl = np.concatenate([level, level[has2]])
        ex_cyc = np.concatenate([cs_num, cs_num[has2]])
    else:
        nd = len(p.dose_days)
        ex_subj = np.repeat(cs_subj, nd)
        ex_st = (cs_start[:, None] + np.array(p.dose_days)[None, :]).ravel()
        ex_lvl = np.repeat(level, nd)
        ex_cyc = np.repeat(cs_num, nd)
        later = np.tile(np.arange(nd) > 0, cs_start.size)
        skip = later & (
            (np.repeat(cs_int, nd) & (rng.random(ex_st.size) < 0.7))
            | (rng.random(ex_st.size) < 0.04)
        )
        keep_ex = ~skip
        ex_subj, ex_st, ex_lvl, ex_cyc = (
            ex_subj[keep_ex],
            ex_st[keep_ex],
            ex_lvl[keep_ex],
            ex_cyc[keep_ex],
        )
        ex_en = ex_st.copy()
    last = np.minimum(t_eot[ex_subj] - 1, h[ex_subj] + 60)
    ok = (ex_st <= last) | (ex_st == 0)
    ex_en = np.minimum(ex_en, np.maximum(last, ex_st))
    order = np.lexsort((ex_st[ok], ex_subj[ok]))
    c.ex = SimpleNamespace(
        subj=ex_subj[ok][order],
        start=ex_st[ok][order],
        end=ex_en[ok][order],
        level=ex_lvl[ok][order],
        cycle=ex_cyc[ok][order],
    )
    last_dose = np.full(n, -np.inf)
    np.maximum.at(last_dose, c.ex.subj, c.ex.end)
    c.last_dose = np.where(np.isfinite(t_eot), last_dose, np.inf)

    # subsequent anticancer therapy after the end of treatment
    elig = np.isin(reason, [EOT_PD, EOT_PHYS, EOT_AE]) & ~full_wd
    gets = elig & (rng.random(n) < p.p_subsequent_therapy)
    st1 = t_eot + 10 + np.floor(rng.random(n) * 50)
    st2 = st1 + 60 + np.floor(rng.random(n) * 120)
    limit = np.minimum(np.minimum(c.t_death, eos), np.where(lost, t_ltfu, np.inf)) - 1
    second = gets & (rng.random(n) < 0.35)
    drugs = np.array(p.subsequent_therapies, dtype=object)
    d1 = rng.integers(0, drugs.size, n)
    d2 = (d1 + rng.integers(1, drugs.size, n)) % drugs.size
    k1 = gets & (st1 < limit)
    k2 = second & (st2 < limit) & k1
    c.cm_subj = np.concatenate([np.flatnonzero(k1), np.flatnonzero(k2)])
    c.cm_day = np.concatenate([st1[k1], st2[k2]])
    c.cm_trt = np.concatenate([drugs[d1[k1]], drugs[d2[k2]]])

    # tumour assessments actually done: up to the investigator's PD, end of treatment, death
    stop_assess = np.minimum.reduce([t_eot, t_death - 1, h])
    K = t.vday.shape[1]
    kidx = np.arange(K)[None, :]
    c.assessed = (
        (kidx >= 1) & ~t.missed & (t.vday <= stop_assess[:, None]) & (kidx <= t.kstar[:, None])
    )
    c.assessed[s.never] = False
    c.full_wd, c.lost, c.t_ltfu = full_wd, lost, t_ltfu
    return c


# --------------------------------------------------------------------------------------------
# truth tables
# --------------------------------------------------------------------------------------------


def _visit_names(p: TrialPreset, k: np.ndarray) -> np.ndarray:
    iv = p.assessment_interval_days
    names = np.array(
        ["BASELINE"]
        + [
            f"WEEK {iv * j // 7}" if iv % 7 == 0 else f"DAY {iv * j}"
            for j in range(1, int(k.max(initial=0)) + 1)
        ],
        dtype=object,
    )
    return names[k]


def _with_seq(df: pd.DataFrame, prefix: str, order: list[str]) -> pd.DataFrame:
    """Sort by subject and `order`, then number --SEQ 1.. within subject."""
    df = df.sort_values(["USUBJID", *order], kind="mergesort").reset_index(drop=True)
    df.insert(3, f"{prefix}SEQ", df.groupby("USUBJID", sort=False).cumcount() + 1)
    return df


def build_truth(p: TrialPreset, *, seed: int, n: int, horizon: int, first_cutoff: int) -> dict:
    """Simulate one trial up to `horizon` (a day number) and return its truth tables."""
    rng = np.random.default_rng(seed)
    s = _subjects(p, rng, n)
    t = _tumour(p, rng, s, horizon)
    c = _conduct(p, rng, s, t, horizon)
    out: dict[str, pd.DataFrame] = {}
    std = {"STUDYID": p.studyid}
    coh = p.cohorts
    armcd = np.array([x.armcd for x in coh], dtype=object)[s.arm]
    arm = np.array([x.arm for x in coh], dtype=object)[s.arm]

    # DM --------------------------------------------------------------------------------------
    dth_abs = s.ref + c.t_death
    eot_abs = s.ref + c.t_eot
    eos_abs = s.ref + c.eos
    dth_avail = dth_abs + _lag(rng, n, 15)
    out["dm"] = pd.DataFrame(
        {
            **std,
            "DOMAIN": "DM",
            "USUBJID": s.usubjid,
            "SUBJID": s.subjid,
            "RFSTDTC": iso(s.fd),
            "RFENDTC": iso(eos_abs),
            "RFXSTDTC": iso(s.fd),
            "RFXENDTC": iso(s.ref + c.last_dose),
            "RFICDTC": iso(s.consent),
            "DTHDTC": iso(dth_abs),
            "DTHFL": np.where(np.isfinite(dth_abs), "Y", ""),
            "SITEID": s.siteid,
            "BRTHDTC": iso(s.birth),
            "AGE": s.age.astype(int),
            "AGEU": "YEARS",
            "SEX": "F",
            "RACE": s.race,
            "ETHNIC": s.ethnic,
            "ARMCD": armcd,
            "ARM": arm,
            "ACTARMCD": np.where(s.never, "NOTTRT", armcd),
            "ACTARM": np.where(s.never, "Not Treated", arm),
            "COUNTRY": p.country,
            "_subj": np.arange(n),
            "_avail": s.consent,
            "_dth_avail": dth_avail,
            "_rfxend_avail": eot_abs + _lag(rng, n),
            "_rfend_avail": eos_abs + _lag(rng, n),
        }
    ).sort_values("USUBJID", kind="mergesort", ignore_index=True)

    # SUPPDM ----------------------------------------------------------------------------------
    out["suppdm"] = pd.DataFrame(
        {
            **std,
            "RDOMAIN": "DM",
            "USUBJID": np.repeat(s.usubjid, 2),
            "IDVAR": "",
            "IDVARVAL": "",
            "QNAM": np.tile(np.array(["ECOGBL", "PRIORLN"], dtype=object), n),
            "QLABEL": np.tile(
                np.array(
                    [
                        "Baseline ECOG Performance Status",
                        "Number of Prior Lines for Metastatic Disease",
                    ],
                    dtype=object,
                ),
                n,
            ),
            "QVAL": np.column_stack([s.ecog, s.priorln]).ravel().astype(str).astype(object),
            "QORIG": "CRF",
            "QEVAL": "",
            "_subj": np.repeat(np.arange(n), 2),
            "_avail": np.repeat(s.consent, 2),
        }
    ).sort_values(["USUBJID", "QNAM"], kind="mergesort", ignore_index=True)

    # DS --------------------------------------------------------------------------------------
    parts = []

    def ds_part(subj, dayabs, term, decod, cat, scat, order):
        parts.append(
            pd.DataFrame(
                {
                    "_subj": subj,
                    "_day": dayabs,
                    "_ord": order,
                    "DSTERM": term,
                    "DSDECOD": decod,
                    "DSCAT": cat,
                    "DSSCAT": scat,
                }
            )
        )

    idx = np.arange(n)
    ds_part(
        idx,
        s.consent,
        "INFORMED CONSENT OBTAINED",
        "INFORMED CONSENT OBTAINED",
        "PROTOCOL MILESTONE",
        "",
        0,
    )
    ds_part(idx, s.enrol, "ENROLLED", "ENROLLED", "PROTOCOL MILESTONE", "", 1)
    m = np.isfinite(c.t_eot)
    ds_part(
        idx[m],
        eot_abs[m],
        EOT_TERM[c.reason[m]],
        EOT_TEXT[c.reason[m]],
        "DISPOSITION EVENT",
        "END OF TREATMENT",
        2,
    )
    ds_part(
        c.contact_subj,
        s.ref[c.contact_subj] + c.contact_day,
        "ALIVE AT SURVIVAL FOLLOW-UP CONTACT",
        "SURVIVAL FOLLOW-UP CONTACT",
        "OTHER EVENT",
        "SURVIVAL FOLLOW-UP",
        3,
    )
    m = np.isfinite(c.eos)
    eos_term = np.where(
        c.eos_reason == "COMPLETED", "COMPLETED SURVIVAL FOLLOW-UP", c.eos_reason
    ).astype(object)
    ds_part(
        idx[m], eos_abs[m], eos_term[m], c.eos_reason[m], "DISPOSITION EVENT", "END OF STUDY", 4
    )
    ds = pd.concat(parts, ignore_index=True)
    ds.insert(0, "STUDYID", p.studyid)
    ds.insert(1, "DOMAIN", "DS")
    ds.insert(2, "USUBJID", s.usubjid[ds["_subj"].to_numpy()])
    ds["DSSTDTC"] = iso(ds["_day"].to_numpy())
    ds["_avail"] = ds["_day"] + _lag(rng, len(ds))
    death = (ds["DSDECOD"] == "DEATH").to_numpy()  # entered together with DM DTHDTC
    ds.loc[death, "_avail"] = dth_avail[ds["_subj"].to_numpy()[death]]
    out["ds"] = _with_seq(ds, "DS", ["_day", "_ord"])

    # EX --------------------------------------------------------------------------------------
    ex = c.ex
    dose = np.array(p.doses)[ex.level]
    ex_df = pd.DataFrame(
        {
            **std,
            "DOMAIN": "EX",
            "USUBJID": s.usubjid[ex.subj],
            "EXTRT": p.drug,
            "EXDOSE": dose,
            "EXDOSU": p.dose_unit,
            "EXDOSFRM": p.dose_form,
            "EXDOSFRQ": p.dose_freq,
            "EXROUTE": p.route,
            "EXADJ": np.where(ex.level > 0, "ADVERSE EVENT", ""),
            "VISIT": np.array([f"CYCLE {k}" for k in ex.cycle], dtype=object),
            "EXSTDTC": iso(s.ref[ex.subj] + ex.start),
            "EXENDTC": iso(s.ref[ex.subj] + ex.end),
            "_subj": ex.subj,
            "_day": s.ref[ex.subj] + ex.start,
            "_avail": s.ref[ex.subj] + ex.start + _lag(rng, ex.subj.size),
        }
    )
    ex_df["_end_avail"] = s.ref[ex.subj] + ex.end + _lag(rng, ex.subj.size, 4)
    out["ex"] = _with_seq(ex_df, "EX", ["_day"])

    # AE --------------------------------------------------------------------------------------
    ae = c.ae
    prof = p.ae_profiles
    # a few pre-treatment (not treatment-emergent) events between consent and first dose
    pre = np.flatnonzero(~s.never & (rng.random(n) < 0.06))
    bg = np.flatnonzero([a.incidence <= 0.10 for a in prof])
    pre_prof = bg[rng.integers(0, bg.size, pre.size)]
    pre_on = (s.consent[pre] - s.ref[pre]) + np.floor(
        rng.random(pre.size) * (s.ref - s.consent)[pre]
    )
    subj = np.concatenate([ae.subj, pre])
    pidx = np.concatenate([ae.prof, pre_prof])
    onset = np.concatenate([ae.onset, pre_on])
    end = np.concatenate([ae.end, pre_on + rng.integers(3, 30, pre.size)])
    grade = np.concatenate([ae.grade, 1 + (rng.random(pre.size) < 0.3)])
    related = np.concatenate([ae.related, np.zeros(pre.size, bool)])
    acn = np.concatenate([ae.acn, np.full(pre.size, "NOT APPLICABLE", dtype=object)])
    fatal = np.concatenate([ae.fatal, np.zeros(pre.size, bool)])
    na = subj.size
    verb_choice = rng.random(na)
    verbatim = np.array(
        [
            prof[j].verbatims[int(v * len(prof[j].verbatims))]
            for j, v in zip(pidx, verb_choice, strict=True)
        ],
        dtype=object,
    )
    rel_terms = np.array(p.related_terms, dtype=object)
    nr = p.n_related_terms
    pick = rng.random(na)
    rel_idx = np.where(
        related,
        np.minimum((pick * nr).astype(int), nr - 1),
        nr + np.minimum((pick * (len(rel_terms) - nr)).astype(int), len(rel_terms) - nr - 1),
    )
    u = rng.random(na)
    serious = (
        fatal
        | ((grade == 4) & (u < 0.7))
        | ((grade == 3) & (u < 0.35))
        | ((grade == 2) & (u < 0.03))
    )
    sev = np.array(["", "MILD", "MODERATE", "SEVERE", "SEVERE", "SEVERE"], dtype=object)[grade]
    soc = np.array([a.soc for a in prof], dtype=object)[pidx]
    outc = np.where(rng.random(na) < 0.05, "RECOVERED/RESOLVED WITH SEQUELAE", "RECOVERED/RESOLVED")
    outc = np.where(fatal, "FATAL", outc).astype(object)
    on_abs = s.ref[subj] + onset
    end_abs = s.ref[subj] + end
    ae_df = pd.DataFrame(
        {
            **std,
            "DOMAIN": "AE",
            "USUBJID": s.usubjid[subj],
            "AETERM": verbatim,
            "AEDECOD": np.array([a.decod for a in prof], dtype=object)[pidx],
            "AEBODSYS": soc,
            "AESOC": soc,
            "AESEV": sev,
            "AESER": np.where(serious, "Y", "N"),
            "AEACN": acn,
            "AEREL": rel_terms[rel_idx],
            "AEOUT": outc,
            "AESDTH": np.where(fatal, "Y", "N"),
            "AETOXGR": grade.astype(str).astype(object),
            "AESTDTC": iso(on_abs),
            "AEENDTC": iso(end_abs),
            "_subj": subj,
            "_day": on_abs,
            "_prof": pidx,
            "_avail": on_abs + _lag(rng, na),
        }
    )
    ae_df["_end_avail"] = end_abs + _lag(rng, na)
    # a fatal AE is entered with the death (its grade 5 needs the outcome)
    ae_df.loc[fatal, "_avail"] = ae_df.loc[fatal, "_end_avail"]
    out["ae"] = _with_seq(ae_df, "AE", ["_day", "_prof"])

    # TU / TR / RS ----------------------------------------------------------------------------
    K = t.vday.shape[1]
    vis_abs = s.ref[:, None] + t.vday
    vis_lag = _lag(rng, (n, K))
    done = c.assessed.copy()
    done[:, 0] = True
    vnum = np.arange(K)
    new_seen = done & t.new & (vnum[None, :] >= 1)
    first_new = np.where(new_seen.any(axis=1), new_seen.argmax(axis=1), -1)
    n_new = np.where(first_new >= 0, 1 + (rng.random(n) < 0.3), 0)

    def method(organ):
        return np.where(organ == "BONE", "BONE SCAN", np.where(organ == "BRAIN", "MRI", "CT SCAN"))

    # TU: targets, non-targets, new lesions
    new_subj = np.repeat(np.arange(n), n_new)
    new_num = np.arange(new_subj.size) - np.searchsorted(new_subj, new_subj) + 1
    new_organ = NEW_ORGANS[rng.choice(NEW_ORGANS.size, new_subj.size, p=NEW_ORGAN_W)]
    tu_subj = np.concatenate([t.l_subj, t.nt_subj, new_subj])
    tu_k = np.concatenate(
        [np.zeros(t.l_subj.size + t.nt_subj.size, int), first_new[new_subj]]
    ).astype(int)
    tu_kind = np.concatenate(
        [
            np.full(t.l_subj.size, "TARGET"),
            np.full(t.nt_subj.size, "NON-TARGET"),
            np.full(new_subj.size, "NEW"),
        ]
    ).astype(object)
    tu_lnk = np.concatenate(
        [
            [f"T{k:02d}" for k in t.l_num],
            [f"NT{k:02d}" for k in t.nt_num],
            [f"NEW{k:02d}" for k in new_num],
        ]
    ).astype(object)
    tu_loc = np.concatenate([t.l_organ, t.nt_organ, new_organ]).astype(object)
    tu_day = vis_abs[tu_subj, tu_k]
    tu = pd.DataFrame(
        {
            **std,
            "DOMAIN": "TU",
            "USUBJID": s.usubjid[tu_subj],
            "TULNKID": tu_lnk,
            "TUTESTCD": "TUMIDENT",
            "TUTEST": "Tumor Identification",
            "TUORRES": tu_kind,
            "TUSTRESC": tu_kind,
            "TULOC": tu_loc,
            "TUMETHOD": method(tu_loc),
            "TUEVAL": "INVESTIGATOR",
            "VISITNUM": tu_k + 1,
            "VISIT": _visit_names(p, tu_k),
            "TUDTC": iso(tu_day),
            "_subj": tu_subj,
            "_day": tu_day,
            "_ord": np.arange(tu_subj.size),
            "_avail": tu_day + vis_lag[tu_subj, tu_k],
        }
    )
    out["tu"] = _with_seq(tu, "TU", ["_day", "_ord"])

    # TR: target measurements
    li, lk = np.nonzero(done[t.l_subj])
    ls = t.l_subj[li]
    val = t.value[li, lk]
    small = t.tstm[li, lk]
    nd = t.not_done[li, lk]
    nodal = t.l_nodal[li]
    txt = np.where(np.isnan(val), "", np.char.mod("%d", np.nan_to_num(val).astype(int)))
    txt = np.where(small, "TOO SMALL TO MEASURE", txt).astype(object)
    unit = np.where(np.isnan(val), "", "mm").astype(object)
    tr_t = pd.DataFrame(
        {
            "_subj": ls,
            "_k": lk,
            "_ord": li,
            "TRGRPID": "TARGET",
            "TRLNKID": np.array([f"T{k:02d}" for k in t.l_num[li]], dtype=object),
            "TRTESTCD": np.where(nodal, "SAXIS", "LDIAM"),
            "TRTEST": np.where(nodal, "Short Axis", "Longest Diameter"),
            "TRORRES": txt,
            "TRORRESU": unit,
            "TRSTRESC": txt,
            "TRSTRESN": val,
            "TRSTRESU": unit,
            "TRSTAT": np.where(nd, "NOT DONE", ""),
            "TRREASND": np.where(nd, "LESION NOT IMAGED", ""),
        }
    )
    # non-target states
    ni, nk = np.nonzero(done[t.nt_subj])
    ns = t.nt_subj[ni]
    up = (t.vday[ns, nk] >= t.t_ntup[ns]) & (t.nt_num[ni] == 1) & (nk >= 1)
    state = np.where(
        up, "UNEQUIVOCAL PROGRESSION", np.where(t.nt_absent[ni, nk], "ABSENT", "PRESENT")
    ).astype(object)
    tr_n = pd.DataFrame(
        {
            "_subj": ns,
            "_k": nk,
            "_ord": 10_000_000 + ni,
            "TRGRPID": "NON-TARGET",
            "TRLNKID": np.array([f"NT{k:02d}" for k in t.nt_num[ni]], dtype=object),
            "TRTESTCD": "TUMSTATE",
            "TRTEST": "Tumor State",
            "TRORRES": state,
            "TRORRESU": "",
            "TRSTRESC": state,
            "TRSTRESN": np.nan,
            "TRSTRESU": "",
            "TRSTAT": "",
            "TRREASND": "",
        }
    )
    # new lesions, present from the visit they are first seen
    wi, wk = np.nonzero(done[new_subj] & (vnum[None, :] >= first_new[new_subj][:, None]))
    ws = new_subj[wi]
    tr_w = pd.DataFrame(
        {
            "_subj": ws,
            "_k": wk,
            "_ord": 20_000_000 + wi,
            "TRGRPID": "NEW",
            "TRLNKID": np.array([f"NEW{k:02d}" for k in new_num[wi]], dtype=object),
            "TRTESTCD": "TUMSTATE",
            "TRTEST": "Tumor State",
            "TRORRES": "PRESENT",
            "TRORRESU": "",
            "TRSTRESC": "PRESENT",
            "TRSTRESN": np.nan,
            "TRSTRESU": "",
            "TRSTAT": "",
            "TRREASND": "",
        }
    )
    tr = pd.concat([tr_t, tr_n, tr_w], ignore_index=True)
    sj, kk = tr["_subj"].to_numpy(), tr["_k"].to_numpy()
    tr["_day"] = vis_abs[sj, kk]
    tr["_avail"] = tr["_day"] + vis_lag[sj, kk]
    tr["_after_death"] = False
    # RS: investigator's response at each assessed visit
    ri, rk = np.nonzero(c.assessed)
    tests = [
        ("TRGRESP", "Target Response", RESP_TEXT[t.inv_tr[ri, rk]], np.ones(ri.size, bool)),
        ("NTRGRESP", "Non-target Response", RESP_TEXT[t.nt_resp[ri, rk]], t.has_nt[ri]),
        (
            "NEWLPROG",
            "New Lesion Progression",
            np.where(t.new[ri, rk], "Y", "N"),
            np.ones(ri.size, bool),
        ),
        ("OVRLRESP", "Overall Response", RESP_TEXT[t.inv_ovr[ri, rk]], np.ones(ri.size, bool)),
    ]
    rs = pd.concat(
        [
            pd.DataFrame(
                {
                    "_subj": ri[m],
                    "_k": rk[m],
                    "_ord": j,
                    "RSTESTCD": cd,
                    "RSTEST": name,
                    "RSORRES": res[m].astype(object),
                    "RSSTRESC": res[m].astype(object),
                }
            )
            for j, (cd, name, res, m) in enumerate(tests)
        ],
        ignore_index=True,
    )
    sj, kk = rs["_subj"].to_numpy(), rs["_k"].to_numpy()
    rs["_day"] = vis_abs[sj, kk]
    rs["_avail"] = rs["_day"] + vis_lag[sj, kk]
    rs["_after_death"] = False

    # mess: an assessment dated after death for up to two subjects who died before the first
    # cutoff (the site entered a scan that belongs to nobody alive)
    died = np.flatnonzero(
        np.isfinite(c.t_death) & (dth_abs <= first_cutoff - 45) & c.assessed.any(axis=1)
    )
    pick = np.sort(rng.permutation(died)[:2])
    if pick.size:
        last_k = K - 1 - np.argmax(c.assessed[pick][:, ::-1], axis=1)
        late = dth_abs[pick] + rng.integers(14, 29, pick.size)
        add_tr = tr_t[np.isin(tr_t["_subj"], pick) & (tr_t["_k"] == 0)].copy()
        grow = np.round(add_tr["TRSTRESN"].to_numpy() * 1.4)
        add_tr["TRSTRESN"] = grow
        add_tr["TRORRES"] = np.char.mod("%d", grow.astype(int)).astype(object)
        add_tr["TRSTRESC"] = add_tr["TRORRES"]
        pos = np.searchsorted(pick, add_tr["_subj"].to_numpy())
        add_tr["_k"] = last_k[pos] + 1
        add_tr["_day"] = late[pos]
        add_tr["_avail"] = late[pos] + 3
        add_tr["_after_death"] = True
        add_rs = pd.DataFrame(
            {
                "_subj": pick,
                "_k": last_k + 1,
                "_ord": 3,
                "RSTESTCD": "OVRLRESP",
                "RSTEST": "Overall Response",
                "RSORRES": "PD",
                "RSSTRESC": "PD",
                "_day": late,
                "_avail": late + 3,
                "_after_death": True,
            }
        )
        tr = pd.concat([tr, add_tr], ignore_index=True)
        rs = pd.concat([rs, add_rs], ignore_index=True)

    for name, df, pre_cols in (("tr", tr, "TR"), ("rs", rs, "RS")):
        sj, kk = df["_subj"].to_numpy(), df["_k"].to_numpy().astype(int)
        df.insert(0, "STUDYID", p.studyid)
        df.insert(1, "DOMAIN", pre_cols)
        df.insert(2, "USUBJID", s.usubjid[sj])
        df[f"{pre_cols}EVAL"] = "INVESTIGATOR"
        if name == "tr":
            df["TRMETHOD"] = method(tu_loc_lookup(out["tu"], df))
        else:
            df["RSCAT"] = "RECIST 1.1"
        df["VISITNUM"] = kk + 1
        df["VISIT"] = _visit_names(p, kk)
        df[f"{pre_cols}DTC"] = iso(df["_day"].to_numpy())
        out[name] = _with_seq(df, pre_cols, ["_day", "_ord"])

    # CM: prior and subsequent anticancer therapy -------------------------------------------
    n_prior = 2 + (rng.random(n) < 0.5)
    prow, pitem = _top_k(rng, np.ones(len(p.prior_therapies)), n, n_prior)
    pst = s.consent[prow] - 120 - np.floor(rng.random(prow.size) * 1200)
    pen = np.minimum(pst + 60 + np.floor(rng.random(prow.size) * 200), s.consent[prow] - 14)
    cm_subj = np.concatenate([prow, c.cm_subj])
    cm_st = np.concatenate([pst, s.ref[c.cm_subj] + c.cm_day])
    cm_en = np.concatenate([pen, np.full(c.cm_subj.size, np.nan)])
    trt = np.concatenate([np.array(p.prior_therapies, dtype=object)[pitem], c.cm_trt])
    cat = np.concatenate(
        [
            np.full(prow.size, "PRIOR ANTICANCER THERAPY"),
            np.full(c.cm_subj.size, "SUBSEQUENT ANTICANCER THERAPY"),
        ]
    ).astype(object)
    st_txt = iso(cm_st)
    en_txt = iso(cm_en)
    part = np.concatenate([rng.random(prow.size) < 0.15, np.zeros(c.cm_subj.size, bool)])
    st_txt = np.where(part, [x[:7] for x in st_txt], st_txt).astype(object)
    en_txt = np.where(part, [x[:7] for x in en_txt], en_txt).astype(object)
    cm = pd.DataFrame(
        {
            **std,
            "DOMAIN": "CM",
            "USUBJID": s.usubjid[cm_subj],
            "CMTRT": trt,
            "CMDECOD": trt,
            "CMCAT": cat,
            "CMSTDTC": st_txt,
            "CMENDTC": en_txt,
            "_subj": cm_subj,
            "_day": cm_st,
            "_avail": np.where(
                cat == "PRIOR ANTICANCER THERAPY",
                s.consent[cm_subj],
                cm_st + _lag(rng, cm_subj.size, 20),
            ),
        }
    )
    out["cm"] = _with_seq(cm, "CM", ["_day", "CMTRT"])
    out["_meta"] = SimpleNamespace(s=s, t=t, c=c)
    return out


def tu_loc_lookup(tu: pd.DataFrame, df: pd.DataFrame) -> np.ndarray:
    """TULOC of each TR record's lesion (by USUBJID and link id)."""
    key = tu["USUBJID"].astype(str) + "|" + tu["TULNKID"].astype(str)
    loc = pd.Series(tu["TULOC"].to_numpy(), index=key.to_numpy())
    q = df["USUBJID"].astype(str) + "|" + df["TRLNKID"].astype(str)
    return loc.reindex(q.to_numpy()).fillna("").to_numpy(dtype=object)
