"""The trial's key figures from its ADaM as typed numbers, with their intervals: what the
report's abstract, ``summarise_adam`` (the CLI's one-screen summary) and ``trial_figures``
(numbers for many simulated trials) all read."""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from oncotrial.adam._adae import reported_groups
from oncotrial.adam._adex import DAYS_PER_MONTH
from oncotrial.protocol import Protocol
from oncotrial.stats import BinomialCI, KaplanMeier, Landmark, clopper_pearson, kaplan_meier
from oncotrial.terminology import RESPONSE_LABELS

__all__ = [
    "BEST_RESPONSE_ORDER",
    "AgentExposure",
    "GroupIncidence",
    "KeyFigures",
    "PfsLandmark",
    "key_figures",
    "trial_figures",
]

#: CBOR categories in the order reports list them.
BEST_RESPONSE_ORDER = tuple(RESPONSE_LABELS)


# -- reading ADaM ----------------------------------------------------------------------------


def _populations(adam: dict[str, pl.DataFrame]) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    """Enrolled count, treated (SAFFL) and evaluable (EFFFL) subjects of ADSL."""
    adsl = adam["adsl"]
    enrolled = adsl.filter(pl.col("ENRLFL") == "Y").height
    return enrolled, adsl.filter(pl.col("SAFFL") == "Y"), adsl.filter(pl.col("EFFFL") == "Y")


def _cbor_counts(adam: dict[str, pl.DataFrame], ids: pl.DataFrame) -> dict[str, int]:
    """Confirmed best overall response (CBOR) category -> subjects, among `ids`."""
    cbor = adam["adrs"].filter(pl.col("PARAMCD") == "CBOR").join(ids, on="USUBJID")
    return {str(k): int(v) for k, v in cbor.group_by("AVALC").len().rows()}


def _pfs(adam: dict[str, pl.DataFrame], ids: pl.DataFrame) -> tuple[pl.DataFrame, KaplanMeier]:
    """ADTTE PFS records of `ids` and their Kaplan-Meier fit (AVAL in days)."""
    pfs = adam["adtte"].filter(pl.col("PARAMCD") == "PFS").join(ids, on="USUBJID")
    return pfs, kaplan_meier(pfs["AVAL"].to_numpy(), (1 - pfs["CNSR"]).to_numpy())


def _landmark_days(protocol: Protocol) -> tuple[str, float] | None:
    """The protocol's landmark PFS endpoint: its label and time in days."""
    landmark = next((e for e in protocol.endpoints if e.type == "landmark_rate"), None)
    if landmark is None or landmark.time_point_months is None:
        return None
    return landmark.label, landmark.time_point_months * DAYS_PER_MONTH


def _exposure(adex: pl.DataFrame, agent: str, paramcd: str) -> pl.Series:
    return adex.filter((pl.col("PARCAT1") == agent) & (pl.col("PARAMCD") == paramcd))["AVAL"]


def _severe(
    adam: dict[str, pl.DataFrame], treated: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Treatment-emergent AEs of the treated, and those of grade 3-4."""
    teae = (
        adam["adae"].filter(pl.col("TRTEMFL") == "Y").join(treated.select("USUBJID"), on="USUBJID")
    )
    return teae, teae.filter(pl.col("ATOXGRN").is_between(3, 4))


def _group_subjects(severe: pl.DataFrame, i: int) -> int:
    """Subjects with a grade 3-4 AE in the protocol's i-th reported term group (CQxxNAM)."""
    col = f"CQ{i + 1:02d}NAM"
    grp = severe.filter(pl.col(col).is_not_null()) if col in severe.columns else severe[:0]
    return grp["USUBJID"].n_unique()


@dataclass(frozen=True, slots=True)
class AgentExposure:
    """One agent's exposure in the treated population (ADEX, PARCAT1 = agent).

    Attributes
    ----------
    agent : str
        The agent's name as the protocol spells it.
    n : int
        Treated patients with a DURM record for it.
    median_duration_months : float
        Median of DURM (polars ``median``: the mean of the two middle values for even n).
    median_rdi : float or None
        Median relative dose intensity (RDI, %), None without non-null RDI (a placebo).
    """

    agent: str
    n: int
    median_duration_months: float
    median_rdi: float | None


@dataclass(frozen=True, slots=True)
class GroupIncidence:
    """Treated patients with a grade 3-4 treatment-emergent AE of one reported term group.

    Attributes
    ----------
    name : str
        The term group (``"bleeding"``).
    column : str
        Its ADAE flag column (``"CQ03NAM"``).
    n : int
        Patients, each counted once.
    """

    name: str
    column: str
    n: int


@dataclass(frozen=True, slots=True)
class PfsLandmark:
    """The protocol's landmark PFS endpoint, estimated two ways.

    Attributes
    ----------
    endpoint : str
        Its name (``"PFS6"``).
    label : str
        Its label (``"6-month progression-free survival rate"``).
    months : float
        The landmark.
    km : Landmark
        Kaplan-Meier estimate at ``months * 30.4375`` days, with its confidence interval.
    event_free : int
        Evaluable patients known to be progression-free at the landmark (PFS AVAL beyond it,
        whether an event or a censoring ends it): the binomial count a co-primary design with
        ``landmark_method: binomial`` judges. A patient censored before the landmark is not
        counted.
    """

    endpoint: str
    label: str
    months: float
    km: Landmark
    event_free: int


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """Populations, response, PFS, exposure and toxicity of one trial.

    Response and PFS are on the evaluable population (EFFFL = "Y"), exposure and adverse
    events on the treated population (SAFFL = "Y"). ``orr`` counts confirmed CR and PR (ADRS
    PARAMCD CBOR) with the exact (Clopper-Pearson) 95% CI; ``pfs`` is Kaplan-Meier with R
    survival's default log interval; grade 3-4 counts are of treatment-emergent AEs (TRTEMFL)
    with ATOXGRN 3 or 4. A part is None (or empty) when its dataset is absent.
    """

    enrolled: int
    treated: int
    evaluable: int
    not_evaluable: tuple[tuple[str, int], ...]
    best_response: tuple[tuple[str, int], ...]
    responders: int
    orr: BinomialCI | None
    pfs: KaplanMeier | None
    pfs_events: int
    landmark: PfsLandmark | None
    exposure: tuple[AgentExposure, ...]
    grade34_any: int
    grade34_groups: tuple[GroupIncidence, ...]
    fatal: int


def key_figures(adam: dict[str, pl.DataFrame], *, protocol: Protocol) -> KeyFigures:
    """Compute the key figures of a trial from its ADaM.

    Parameters
    ----------
    adam : dict of str to DataFrame
        ``derive_adam``'s datasets; ``adsl`` is required, the others are used when present.
    protocol : Protocol
        Gives the agents, the landmark PFS endpoint and the reported AE term groups.

    Returns
    -------
    KeyFigures

    Notes
    -----
    The pieces are those of :func:`summarise_adam` and :func:`trial_figures` (the same
    helpers, so the three always agree):

    1. Populations: ENRLFL, SAFFL, EFFFL = "Y"; reasons for non-evaluability from EFFRSN.
    2. Response: ADRS PARAMCD CBOR of the evaluable patients; responders = CR + PR.
    3. PFS: ADTTE PARAMCD PFS of the evaluable patients, event = CNSR 0; the landmark is the
       protocol's first landmark-rate endpoint at 30.4375 days a month.
    4. Exposure: ADEX DURM and RDI per agent (PARCAT1) of the treated patients.
    5. Adverse events: TRTEMFL = "Y" of the treated patients; CQxxNAM are the protocol's
       reported term groups in order (see ``derive_adae``); fatal = AEFATFL = "Y".
    """
    adsl = adam["adsl"]
    enrolled, treated, evaluable = _populations(adam)
    reasons = adsl.filter(pl.col("EFFRSN").is_not_null() & (pl.col("ENRLFL") == "Y"))
    by_reason = reasons.group_by("EFFRSN").len().sort("EFFRSN").rows()
    not_evaluable = tuple((str(r), int(n)) for r, n in by_reason)
    ids = evaluable.select("USUBJID")
    n_eval = evaluable.height

    best: tuple[tuple[str, int], ...] = ()
    responders, orr = 0, None
    if "adrs" in adam and n_eval:
        counts = _cbor_counts(adam, ids)
        best = tuple((c, counts[c]) for c in BEST_RESPONSE_ORDER if counts.get(c))
        responders = counts.get("CR", 0) + counts.get("PR", 0)
        orr = clopper_pearson(responders, n_eval)

    km, events, landmark = None, 0, None
    if "adtte" in adam and n_eval:
        pfs, fit = _pfs(adam, ids)
        if pfs.height:
            km, events = fit, int((pfs["CNSR"] == 0).sum())
            ep = next((e for e in protocol.endpoints if e.type == "landmark_rate"), None)
            days = _landmark_days(protocol)
            if ep is not None and ep.time_point_months is not None and days is not None:
                at = days[1]
                free = int((pfs["AVAL"] > at).sum())
                landmark = PfsLandmark(ep.name, ep.label, ep.time_point_months,
                                       km.survival_at([at]), free)  # fmt: skip

    exposure: list[AgentExposure] = []
    if "adex" in adam and treated.height:
        adex = adam["adex"].join(treated.select("USUBJID"), on="USUBJID")
        for agent in protocol.regimen.agents:
            dur = _exposure(adex, agent.name, "DURM")
            rdi = _exposure(adex, agent.name, "RDI").drop_nulls()  # none for a placebo
            if dur.len():
                exposure.append(AgentExposure(
                    agent.name, dur.len(), float(dur.median()),  # type: ignore[arg-type]
                    float(rdi.median()) if rdi.len() else None,  # type: ignore[arg-type]
                ))  # fmt: skip

    any34, groups, fatal = 0, [], 0
    if "adae" in adam and treated.height:
        teae, severe = _severe(adam, treated)
        any34 = severe["USUBJID"].n_unique()
        for i, group in enumerate(reported_groups(protocol)):
            groups.append(GroupIncidence(group.name, f"CQ{i + 1:02d}NAM",
                                         _group_subjects(severe, i)))  # fmt: skip
        fatal = teae.filter(pl.col("AEFATFL") == "Y")["USUBJID"].n_unique()

    return KeyFigures(
        enrolled=enrolled,
        treated=treated.height,
        evaluable=n_eval,
        not_evaluable=not_evaluable,
        best_response=best,
        responders=responders,
        orr=orr,
        pfs=km,
        pfs_events=events,
        landmark=landmark,
        exposure=tuple(exposure),
        grade34_any=any34,
        grade34_groups=tuple(groups),
        fatal=fatal,
    )


def trial_figures(adam: dict[str, pl.DataFrame], *, protocol: Protocol) -> dict[str, float]:
    """The key figures as plain numbers by name, NaN where a dataset or population is absent
    (for tables of many simulated trials, e.g. :mod:`oncotrial.sim.calibration`).

    Keys: ``enrolled``, ``treated``, ``evaluable``, ``responders`` (confirmed CR + PR among the
    evaluable), ``orr`` (fraction), ``pfs_median_months`` (NaN when not reached),
    ``pfs_landmark`` (KM survival at the protocol's landmark), ``duration_months:<agent>``
    (median ADEX DURM among the treated given the agent), ``grade34:<group>`` (treated subjects
    with a grade 3-4 TEAE in each reported term group) and ``fatal`` (treated subjects with a
    fatal TEAE). All from :func:`key_figures`.

    Examples
    --------
    >>> from oncotrial.protocol import load
    >>> from oncotrial.sim import load_scenario, simulate_trial
    >>> from oncotrial.adam import derive_adam
    >>> p = load("nct01010126")
    >>> adam = derive_adam(simulate_trial(p, load_scenario("nct01010126"), seed=7), protocol=p)
    >>> f = trial_figures(adam, protocol=p)
    >>> f["enrolled"], 0 <= f["orr"] <= 1
    (59.0, True)
    """
    kf = key_figures(adam, protocol=protocol)
    nan = math.nan
    median = kf.pfs.median.time if kf.pfs is not None else None
    out: dict[str, float] = {
        "enrolled": float(kf.enrolled),
        "treated": float(kf.treated),
        "evaluable": float(kf.evaluable),
        "responders": float(kf.responders) if kf.orr is not None else nan,
        "orr": kf.responders / kf.evaluable if kf.orr is not None else nan,
        "pfs_median_months": nan if median is None else float(median) / DAYS_PER_MONTH,
        "pfs_landmark": float(kf.landmark.km.surv[0]) if kf.landmark is not None else nan,
    }
    durations = {e.agent: e.median_duration_months for e in kf.exposure}
    for agent in protocol.regimen.agents:
        out[f"duration_months:{agent.name}"] = durations.get(agent.name, nan)
    has_ae = "adae" in adam and kf.treated > 0
    counts = {g.name: float(g.n) for g in kf.grade34_groups}
    for group in reported_groups(protocol):
        out[f"grade34:{group.name}"] = counts.get(group.name, nan) if has_ae else nan
    out["fatal"] = float(kf.fatal) if has_ae else nan
    return out
