"""From per-detector rates to one judgement per subject and behaviour.

Each detector gives every subject a workload ``n`` and hits ``k``. This module turns them into
findings in five steps (docs/detection.md, "Fairness"):

1. **Baseline** (empirical Bayes). A unit's baseline is its peer group's leave-one-out rate. A
   person's is the higher of the peer level and their division's level, the division's level
   estimated from their colleagues in it and shrunk toward the peer level
   (``unit_prior_cases``): a person in a division that is slow as a whole is not singled out for
   the division's pace. For the ``broad_behaviours`` a unit is judged on its members other than
   the one with the most hits, so one slow member makes a person finding and a slow division
   (a slow head) a unit finding.
2. **Per-detector evidence**: a signed-root likelihood-ratio statistic of ``k`` against
   ``n × baseline``, divided by the overdispersion that the peer group itself shows (people
   differ; a binomial test would treat every normal spread as evidence), fitted per peer group
   by a clipped method of moments so that a few offenders cannot inflate it much.
3. **Effect-size floor and minimum evidence**: a detector counts only when ``n ≥ min_cases``,
   ``k ≥ min_hits``, and the rate is at least ``min_ratio`` × the baseline and ``min_excess``
   above it, so a large sample alone never makes a finding. Optionally (``relevance_ratio``
   > 1, persons only) the lower confidence bound of the rate must be that multiple of the
   baseline.
4. **One test per behaviour** (the Cauchy combination of its detectors' p-values, valid
   whatever their dependence; Simes' as an option): several moderate signals add up, one
   strong signal is enough, and detectors that see the same cases twice cost little.
5. **Multiple testing**: Benjamini-Hochberg across every subject and behaviour tested (per
   subject type), at ``fdr``; and, per subject, the combined p at or below ``max_p`` (the
   FDR bounds the share of findings that are wrong, the cap the chance that a normal
   subject gets one); a subject seen by one detector alone at or below ``max_p /
   corroboration``.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from congvu_analytics.detect._common import (
    CASE_IDS,
    EVIDENCE,
    JUDGED,
    MAIN_UNIT,
    SUBJECT_ID,
    SUBJECT_TYPE,
)
from congvu_analytics.detect.params import DetectionParams

KEYS = [SUBJECT_TYPE, SUBJECT_ID]
# E[min(X, 4)] for X ~ chi-square(1): the expected clipped squared residual of a subject that
# is exactly as its peers (computed by numerical integration of P(X > t) over 0..4; a clip at 9
# lets a few offenders inflate the fitted spread: small tuning seeds, macro F1 0.63 -> 0.48).
_CLIP = 4.0
_CLIPPED_MEAN = 0.92053692
# A cluster (division, unit) this many binomial standard deviations above its peer group, and
# at least ``min_ratio`` times its level, is left out of the others' peer level.
_OUTLYING_Z = 3.0

COMPONENT = pl.Struct(
    {
        "detector": pl.String(),
        "k": pl.UInt32(),
        "n": pl.UInt32(),
        "rate": pl.Float64(),
        "baseline": pl.Float64(),
        "z": pl.Float64(),
    }
)


def erfc(x: pl.Expr) -> pl.Expr:
    """Complementary error function (Numerical Recipes' ``erfcc``, relative error < 1.2e-7),
    as an expression: p-values for hundreds of thousands of rows with no extra dependency."""
    a = x.abs()
    t = 1.0 / (1.0 + 0.5 * a)
    coefficients = (
        -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
        0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277,
    )  # fmt: skip
    poly: pl.Expr = pl.lit(coefficients[-1])
    for c in reversed(coefficients[:-1]):
        poly = c + t * poly
    y = t * (-(a * a) + poly).exp()
    return pl.when(x >= 0).then(y).otherwise(2.0 - y)


def normal_sf(z: pl.Expr) -> pl.Expr:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * erfc(z / math.sqrt(2.0))


def _xlogy(x: pl.Expr, y: pl.Expr) -> pl.Expr:
    """x·ln(x/y), 0 when x is 0."""
    return pl.when(x > 0).then(x * (x / y).log()).otherwise(0.0)


def evidence(
    scored: pl.DataFrame,
    peers: pl.DataFrame,
    params: DetectionParams,
    *,
    detector: str,
    behaviour: str,
) -> pl.DataFrame:
    """One detector's rates (``_common.rates``) with baseline, z, p and the floor applied.

    Returns one row per subject with ``n_test``/``k_test`` (what was tested: for a unit in a
    broad behaviour, its members other than the one with the most hits), ``peer_level`` (the
    peers' rate without the clusters far above them: the level the baseline was built on,
    which a finding's sentence quotes), ``baseline``,
    ``unit_rate`` (a person's division level), ``z``, ``p`` (1 when the detector does not count)
    and ``counts``.
    """
    group = [SUBJECT_TYPE, "peer_group"]
    frame = scored.join(peers.select(*KEYS, MAIN_UNIT, JUDGED), on=KEYS, how="left").with_columns(
        pl.col(JUDGED).fill_null(True),
        pl.col("n").cast(pl.Float64).alias("_n"),
        pl.col("k").cast(pl.Float64).alias("_k"),
    )
    person = pl.col(SUBJECT_TYPE) == "person"
    # Clusters: a person's division, a unit itself. A cluster far above its peer group (a
    # division with a slow head, a bouncing unit) is left out of everyone else's peer level,
    # so that a few bad divisions do not raise the bar for all.
    frame = frame.with_columns(
        pl.when(person).then(pl.coalesce(MAIN_UNIT, SUBJECT_ID)).otherwise(SUBJECT_ID).alias("_cl")
    )
    clusters = [*group, "_cl"]
    cl_n = pl.col("_n").sum().over(clusters)
    cl_k = pl.col("_k").sum().over(clusters)
    pooled = (pl.col("_k").sum().over(group) + 0.5) / (pl.col("_n").sum().over(group) + 1.0)
    cl_z = (cl_k - cl_n * pooled) / (cl_n * pooled * (1 - pooled)).sqrt()
    outlying = (
        (cl_n >= params.min_cases)
        & (cl_z > _OUTLYING_Z)
        & (cl_k >= params.min_ratio * cl_n * pooled)
    )
    frame = frame.with_columns(outlying.fill_null(False).alias("_out"))
    clean = ~pl.col("_out")
    frame = frame.with_columns(
        pl.when(clean).then(pl.col("_n")).otherwise(0.0).sum().over(group).alias("_clean_n"),
        pl.when(clean).then(pl.col("_k")).otherwise(0.0).sum().over(group).alias("_clean_k"),
    )
    others_n = pl.col("_clean_n") - pl.when(clean).then(pl.col("_n")).otherwise(0.0)
    others_k = pl.col("_clean_k") - pl.when(clean).then(pl.col("_k")).otherwise(0.0)
    # Half a hit of smoothing: a peer group with no hit at all still has a positive level.
    frame = frame.with_columns(
        pl.when(others_n > 0).then((others_k + 0.5) / (others_n + 1.0)).alias("_peer_level"),
        # The same level as said to a person: the peers' own rate, without the smoothing.
        pl.when(others_n > 0).then(others_k / others_n).alias("peer_level"),
        cl_n.alias("_cl_n"),
        cl_k.alias("_cl_k"),
    )
    # A person's division level: the rate of the division's other members, whatever their
    # position (a slow head slows specialists and deputies alike), shrunk toward the person's
    # peer level by ``prior`` cases. The prior is fitted on the spread between divisions
    # (empirical Bayes, ``(1 - rho) / rho``): divisions that barely differ say little beyond
    # the peer level; divisions that differ a lot speak for themselves.
    in_div = [SUBJECT_TYPE, MAIN_UNIT]
    # Only where a division-wide cause is plausible (a head's pace: ``broad_behaviours``; a
    # unit that answers coordination slowly as a whole: ``broad_detectors``); for the others a
    # small division's noise would hide its one offender.
    broad = behaviour in params.broad_behaviours
    has_div = (
        person
        & pl.col(MAIN_UNIT).is_not_null()
        & pl.lit(broad or detector in params.broad_detectors)
    )
    frame = frame.with_columns(
        pl.when(has_div).then(pl.col("_n").sum().over(in_div)).alias("_dn"),
        pl.when(has_div).then(pl.col("_k").sum().over(in_div)).alias("_dk"),
    )
    first = has_div & pl.col(MAIN_UNIT).is_first_distinct() & (pl.col("_dn") >= params.min_cases)
    everyone = (pl.col("_k").filter(person).sum() + 0.5) / (pl.col("_n").filter(person).sum() + 1)
    dn, dk = pl.col("_dn"), pl.col("_dk")
    resid2 = ((dk - dn * everyone) ** 2 / (dn * everyone * (1 - everyone))).clip(upper_bound=_CLIP)
    divisions = first.cast(pl.Float64).sum()
    excess = pl.when(first).then(resid2 - _CLIPPED_MEAN).otherwise(0.0).sum()
    spread = pl.when(first).then(dn - 1).otherwise(0.0).sum()
    rho_div = (excess / spread).clip(lower_bound=1e-6)
    prior = (
        pl.when((divisions >= params.min_peers) & (spread > 0))
        .then(((1 - rho_div) / rho_div).clip(1.0, params.unit_prior_cases))
        .otherwise(params.unit_prior_cases)
    )
    others_n = dn - pl.col("_n")
    others_k = dk - pl.col("_k")
    frame = frame.with_columns(
        pl.when(has_div & (others_n > 0))
        .then((others_k + prior * pl.col("_peer_level")) / (others_n + prior))
        .alias("unit_rate")
    ).with_columns(
        pl.max_horizontal("_peer_level", pl.col("unit_rate").fill_null(0.0)).alias("baseline")
    )
    frame = _without_worst_member(frame, broad=broad and detector not in params.head_detectors)

    n, k, mu = pl.col("n_test"), pl.col("k_test"), pl.col("baseline")
    # Overdispersion per peer group: how much more than binomial noise ordinary colleagues
    # already show (people differ). A robust (Huber-type) estimate: the smallest rho on a grid
    # at which the Pearson residuals, scaled by 1 + (n - 1) rho and clipped at 4, average what
    # a chi-square(1) clipped at 4 does. Clipping after scaling keeps a few offenders from
    # inflating rho, and does not cap it at large n (where ordinary spread alone gives large
    # residuals).
    fit = (n >= params.min_cases) & pl.col(JUDGED) & mu.is_not_null()
    frame = frame.with_columns(
        ((k - n * mu) ** 2 / (n * mu * (1 - mu))).alias("_r2"), fit.alias("_fit")
    )
    frame = frame.join(_dispersion(frame, group, params.min_peers), on=group, how="left")
    frame = frame.with_columns(pl.col("_rho").fill_null(0.0))
    # Signed root of the binomial likelihood ratio. No continuity correction: for small counts
    # this is close to the mid-p value of the exact test, which keeps the nominal level on
    # average instead of erring far on the safe side (a 0.5 correction tripled p at 2 of 8).
    expected = n * mu
    kc = k
    deviance = 2 * (_xlogy(kc, expected) + _xlogy(n - kc, n * (1 - mu)))
    phi = 1 + (n - 1) * pl.col("_rho")
    z = (
        pl.when(kc >= expected).then(1.0).otherwise(-1.0)
        * (deviance.clip(lower_bound=0) / phi).sqrt()
    )
    relevant = _relevant(params, n, k, mu, person)
    rate_t = k / n
    counts = (
        relevant
        & pl.col(JUDGED)
        & pl.col("peer_rate").is_not_null()
        & mu.is_not_null()
        & (n >= params.min_cases)
        & (k >= params.min_hits)
        & (rate_t >= params.min_ratio * mu)
        & (rate_t - mu >= params.min_excess)
    ).fill_null(False)
    # A unit is a broad-behaviour finding only when its members (not just its head's decisions)
    # show it: a slow head alone is the head's own finding.
    needs_members = (pl.col(SUBJECT_TYPE) == "unit") & pl.lit(broad)
    return frame.with_columns(
        z.alias("z"),
        counts.alias("counts"),
        (n >= params.min_cases).alias("tested"),
        needs_members.alias("_needs_members"),
        (counts & pl.lit(detector not in params.head_detectors)).alias("_member_counts"),
    ).with_columns(
        pl.when(pl.col("counts")).then(normal_sf(pl.col("z"))).otherwise(1.0).alias("p"),
        pl.lit(detector).alias("detector"),
        pl.lit(behaviour).alias("behaviour"),
    )


def _relevant(
    params: DetectionParams, n: pl.Expr, k: pl.Expr, mu: pl.Expr, person: pl.Expr
) -> pl.Expr:
    """The person-level relevance floor (``relevance_ratio``).

    Significance against the ordinary spread is not relevance. Over many cases an ordinary
    colleague whose own propensity sits at the top of the spread (3-4 times the peers')
    becomes "significant", and the point floor (``min_ratio``) cannot tell them from an
    offender. With ``relevance_ratio`` > 1 a detector counts for a person only when even the
    lower confidence bound of their rate (the signed-root likelihood ratio at ``z``, as
    ``strength`` reads it) is ``relevance_ratio`` times the baseline: a plain binomial bound,
    since the question is this person's own rate, not the spread of others. Units are judged
    without it: a slow division is slower by 15-50%, not by multiples, and is judged as a
    whole on its members (``broad_behaviours``).
    """
    if params.relevance_ratio <= 1.0:
        return pl.lit(True)
    floor = (mu * params.relevance_ratio).clip(upper_bound=1.0 - 1e-9)
    deviance = 2 * (_xlogy(k, n * floor) + _xlogy(n - k, n * (1 - floor)))
    above = (k >= n * floor) & (deviance.clip(lower_bound=0) >= params.z**2)
    return ~person | above


_RHO_GRID = [0.0] + [1e-4 * (5000 ** (i / 39)) for i in range(40)]  # 0, 1e-4 .. 0.5


def _dispersion(frame: pl.DataFrame, group: list[str], min_peers: int) -> pl.DataFrame:
    """(group..., _rho): the robust overdispersion of each peer group (see :func:`evidence`)."""
    rows = frame.filter(pl.col("_fit") & pl.col("_r2").is_finite()).select(*group, "n_test", "_r2")

    def scaled(rho: float) -> pl.Expr:
        return (pl.col("_r2") / (1 + (pl.col("n_test") - 1) * rho)).clip(upper_bound=_CLIP)

    # Every grid value's clipped mean in one pass over each group's rows (one column per grid
    # value), not over the rows crossed with the grid: the same means bit for bit (the same
    # values in the same order; measured on every detector of a 16M-event province, 1 and 2
    # threads), without the grid-times-subjects frame (+0.2 GB for 35k subjects).
    means = [scaled(rho).mean().alias(f"_m{i}") for i, rho in enumerate(_RHO_GRID)]
    # The smallest grid value that brings the clipped mean down to chi-square's (the grid
    # increases). When none does, a few clipped outliers in a small group are the cause (each
    # adds at most 4 / J), not an ordinary spread: no overdispersion is assumed then (the
    # caller fills 0).
    below = [(pl.col(f"_m{i}") <= _CLIPPED_MEAN, rho) for i, rho in enumerate(_RHO_GRID)]
    first: Any = pl.when(below[0][0]).then(pl.lit(below[0][1], pl.Float64))
    for condition, rho in below[1:]:
        first = first.when(condition).then(pl.lit(rho, pl.Float64))  # else null: none does
    return (
        rows.group_by(group)
        .agg(*means, pl.len().alias("_members"))
        .filter(pl.col("_members") >= min_peers)
        .select(*group, first.alias("_rho"))
        .filter(pl.col("_rho").is_not_null())
    )


def _without_worst_member(frame: pl.DataFrame, *, broad: bool) -> pl.DataFrame:
    """``n_test``/``k_test``: for units in a broad behaviour, the hits of the member with the
    most hits are taken out (a unit of one person then has none: its finding would be that
    person's)."""
    if not broad:
        return frame.with_columns(pl.col("_n").alias("n_test"), pl.col("_k").alias("k_test"))
    worst = (
        frame.filter(pl.col(SUBJECT_TYPE) == "person", pl.col(MAIN_UNIT).is_not_null())
        .sort("_k", "_n", descending=[True, False])
        .group_by(MAIN_UNIT, maintain_order=True)
        .agg(pl.col("_k").first().alias("_wk"), pl.col("_n").first().alias("_wn"))
        .with_columns(pl.lit("unit").alias(SUBJECT_TYPE))
        .rename({MAIN_UNIT: "_unit"})
    )
    unit = pl.col(SUBJECT_TYPE) == "unit"
    return (
        frame.join(
            worst, left_on=[SUBJECT_TYPE, SUBJECT_ID], right_on=[SUBJECT_TYPE, "_unit"], how="left"
        )
        .with_columns(
            # The cases stay the unit's (every case may pass through its head): only the hits
            # of its worst member are taken out.
            pl.col("_n").alias("n_test"),
            pl.when(unit)
            .then((pl.col("_k") - pl.col("_wk").fill_null(0.0)).clip(lower_bound=0.0))
            .otherwise(pl.col("_k"))
            .alias("k_test"),
        )
        .drop("_wk", "_wn")
    )


def _cauchy(p: pl.Expr, tested: pl.Expr, m: pl.Expr, by: list[str]) -> pl.Expr:
    """The Cauchy combination (Liu & Xie 2020, "ACAT") of one subject's detectors of a behaviour.

    ``T = Σ tan((0.5 - p_j)·π) / m`` over the ``m`` detectors that tested the subject; the
    combined p is ``0.5 - arctan(T)/π`` (``1/(πT)`` in the far tail). Its tail is Cauchy
    whatever the correlation between the detectors, so nested detectors (every ping-pong is a
    transfer, every transfer a case of the combined detector) do not cost what they cost Simes
    (a factor up to ``m``), while one strong detector among weak ones still carries a subject
    (about ``m·p``, as Bonferroni). A detector that does not count (the floor failed: ``p``
    = 1) or shows less than its baseline adds no evidence either way (0, not a negative term
    that would cancel the others).
    """
    term = pl.when(tested & (p < 0.5)).then(((0.5 - p) * math.pi).tan()).otherwise(0.0)
    t = term.sum().over(by) / m
    return (
        pl.when(t > 1e6)
        .then(1.0 / (math.pi * t))
        .when(t > 0)
        .then(0.5 - t.arctan() / math.pi)
        .otherwise(1.0)
    )


def judge(
    per_detector: list[pl.DataFrame],
    fdr: float,
    *,
    combine: str = "cauchy",
    max_p: float = 1.0,
    corroboration: float = 1.0,
    supporting: tuple[str, ...] = (),
) -> pl.DataFrame:
    """One row per (subject, behaviour) tested, with the combined p, q, score and components.

    Args:
        per_detector: :func:`evidence` frames.
        fdr: the Benjamini-Hochberg level.
        max_p: the per-subject cap: a finding also needs ``p_value <= max_p``
            (``DetectionParams.max_p``).
        corroboration: a subject with one counting detector of the behaviour needs
            ``p_value <= max_p / corroboration`` (``DetectionParams.corroboration``).
        supporting: detectors that add to a subject's test but make no finding unless another
            detector of the behaviour counts too (``detect.SUPPORTING``).
        combine: "cauchy" (:func:`_cauchy`) or "simes": how one behaviour's detectors make
            one p-value per subject.

    Returns:
        subject_type, subject_id, behaviour, p_value, q_value, score, flagged, main (the
        component with the smallest p), components (list of COMPONENT, counting detectors only),
        evidence_event_ids and case_ids (union over the counting detectors).
    """
    columns = [*KEYS, "behaviour", "detector", "p", "z", "counts", "tested", "_needs_members",
               "_member_counts", "n", "k", "rate", "baseline", EVIDENCE, CASE_IDS]  # fmt: skip
    # The detector's place in the suite breaks ties on (p, z): over a thousand people of a
    # province have two counting detectors of one behaviour with the same p and z (a combined
    # detector and its one part), and which one leads (the finding's rate, n and the order of
    # its sentences) must not be whatever order a parallel sort leaves ties in.
    ordered = [
        d.select(columns).with_columns(pl.lit(i, pl.UInt32).alias("_order"))
        for i, d in enumerate(per_detector)
    ]
    # Each behaviour is its own combination and its own FDR family, so judging one behaviour
    # at a time gives the same rows while holding a quarter of the detector rows at once.
    behaviours = sorted({b for d in ordered for b in d["behaviour"].unique().to_list()})
    rule: dict[str, Any] = {"fdr": fdr, "combine": combine, "max_p": max_p,
                            "corroboration": corroboration, "supporting": supporting}  # fmt: skip
    if len(behaviours) <= 1:
        return _judge_rows(pl.concat(ordered, how="vertical_relaxed"), **rule)
    judged = [
        _judge_rows(
            pl.concat(
                [d.filter(pl.col("behaviour") == b) for d in ordered], how="vertical_relaxed"
            ),
            **rule,
        )
        for b in behaviours
    ]
    return pl.concat(judged).sort([*KEYS, "behaviour"])


def _judge_rows(
    rows: pl.DataFrame,
    *,
    fdr: float,
    combine: str,
    max_p: float,
    corroboration: float,
    supporting: tuple[str, ...],
) -> pl.DataFrame:
    """:func:`judge` on the detector rows of one or more whole behaviours."""
    # Simes' m: the behaviour's detectors that tested this subject (enough cases); a detector
    # with too few cases to test is no hypothesis about them.
    m = pl.col("tested").cast(pl.Float64).sum().over([*KEYS, "behaviour"]).clip(lower_bound=1.0)
    by = [*KEYS, "behaviour"]
    rows = rows.sort(
        [*by, "p", "z", "_order", "detector"],
        descending=[False, False, False, False, True, False, False],
        maintain_order=True,
    )
    if combine == "simes":
        combined = (m * pl.col("p") / (pl.int_range(pl.len()).over(by) + 1)).min().over(by)
    elif combine == "cauchy":
        combined = _cauchy(pl.col("p"), pl.col("tested"), m, by)
    else:
        raise ValueError(f"combine = {combine!r}: 'cauchy' hoặc 'simes'")
    rows = rows.with_columns(combined.clip(0.0, 1.0).alias("_simes"))
    component = pl.struct(
        "detector",
        pl.col("k").cast(pl.UInt32),
        pl.col("n").cast(pl.UInt32),
        "rate",
        "baseline",
        "z",
    )
    counting = pl.col("counts")
    tests = (
        rows.group_by(by, maintain_order=True)
        .agg(
            pl.col("_simes").first().alias("p_value"),
            pl.col("tested").any().alias("_tested"),
            (~pl.col("_needs_members").any() | pl.col("_member_counts").any()).alias("_members"),
            pl.col("z").filter(counting).clip(lower_bound=0).sum().alias("score"),
            pl.col("detector").first().alias("main"),
            component.filter(counting).alias("components"),
            counting.sum().alias("_counting"),
            (counting & ~pl.col("detector").is_in(supporting)).any().alias("_leads"),
            pl.col(EVIDENCE)
            .filter(counting)
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias(EVIDENCE),
            pl.col(CASE_IDS)
            .filter(counting)
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias(CASE_IDS),
        )
        .filter(pl.col("_tested"))
        .drop("_tested")
    )
    # Benjamini-Hochberg per subject type and behaviour (each behaviour is its own question,
    # reviewed by its own process): q_(i) = min over j >= i of M p_(j) / j.
    family = [SUBJECT_TYPE, "behaviour"]
    tests = tests.sort(*family, "p_value")
    rank = pl.int_range(pl.len()).over(family) + 1
    total = pl.len().over(family)
    raw = pl.col("p_value") * total / rank
    tests = tests.with_columns(
        raw.reverse().cum_min().reverse().over(family).clip(upper_bound=1.0).alias("q_value")
    )
    return (
        tests.with_columns(
            (
                (pl.col("q_value") <= fdr)
                & (pl.col("p_value") < 1.0)
                & (pl.col("p_value") <= max_p)
                # One measure alone wants stronger proof (DetectionParams.corroboration).
                & ((pl.col("_counting") >= 2) | (pl.col("p_value") <= max_p / corroboration))
                & pl.col("_leads")
                & pl.col("_members")
            ).alias("flagged"),
            pl.col("components").cast(pl.List(COMPONENT)),
        )
        .drop("_members", "_counting", "_leads")
        .sort(by)
    )
