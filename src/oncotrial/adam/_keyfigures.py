"""The trial's key figures from its ADaM, as numbers: the one computation behind the one-screen
summary (``summarise_adam``) and the report's abstract."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oncotrial.adam._adae import reported_groups
from oncotrial.adam._adex import DAYS_PER_MONTH
from oncotrial.protocol import Protocol
from oncotrial.stats import BinomialCI, KaplanMeier, Landmark, clopper_pearson, kaplan_meier

__all__ = [
    "BEST_RESPONSE_ORDER",
    "AgentExposure",
    "GroupIncidence",
    "KeyFigures",
    "PfsLandmark",
    "key_figures",
]

#: CBOR categories in the order reports list them.
BEST_RESPONSE_ORDER = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")


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


def _pfs(adam: dict[str, pl.DataFrame], ids: pl.DataFrame) -> pl.DataFrame | None:
    if "adtte" not in adam:
        return None
    pfs = adam["adtte"].filter(pl.col("PARAMCD") == "PFS").join(ids, on="USUBJID")
    return pfs if pfs.height else None


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
    1. Populations: ENRLFL, SAFFL, EFFFL = "Y"; reasons for non-evaluability from EFFRSN.
    2. Response: ADRS PARAMCD CBOR of the evaluable patients; responders = CR + PR.
    3. PFS: ADTTE PARAMCD PFS of the evaluable patients, event = CNSR 0; the landmark is the
       protocol's first landmark-rate endpoint at 30.4375 days a month.
    4. Exposure: ADEX DURM and RDI per agent (PARCAT1) of the treated patients.
    5. Adverse events: TRTEMFL = "Y" of the treated patients; CQxxNAM are the protocol's
       reported term groups in order (see ``derive_adae``); fatal = AEFATFL = "Y".
    """
    adsl = adam["adsl"]
    treated = adsl.filter(pl.col("SAFFL") == "Y")
    evaluable = adsl.filter(pl.col("EFFFL") == "Y")
    reasons = adsl.filter(pl.col("EFFRSN").is_not_null() & (pl.col("ENRLFL") == "Y"))
    by_reason = reasons.group_by("EFFRSN").len().sort("EFFRSN").rows()
    not_evaluable = tuple((str(r), int(n)) for r, n in by_reason)
    ids = evaluable.select("USUBJID")
    n_eval = evaluable.height

    best: tuple[tuple[str, int], ...] = ()
    responders, orr = 0, None
    if "adrs" in adam and n_eval:
        cbor = adam["adrs"].filter(pl.col("PARAMCD") == "CBOR").join(ids, on="USUBJID")
        counts = {str(k): int(v) for k, v in cbor.group_by("AVALC").len().rows()}
        best = tuple((c, counts[c]) for c in BEST_RESPONSE_ORDER if counts.get(c))
        responders = counts.get("CR", 0) + counts.get("PR", 0)
        orr = clopper_pearson(responders, n_eval)

    km, events, landmark = None, 0, None
    pfs = _pfs(adam, ids) if n_eval else None
    if pfs is not None:
        km = kaplan_meier(pfs["AVAL"].to_numpy(), (1 - pfs["CNSR"]).to_numpy())
        events = int((pfs["CNSR"] == 0).sum())
        ep = next((e for e in protocol.endpoints if e.type == "landmark_rate"), None)
        if ep is not None and ep.time_point_months is not None:
            at = ep.time_point_months * DAYS_PER_MONTH
            landmark = PfsLandmark(ep.name, ep.label, ep.time_point_months, km.survival_at([at]),
                                   int((pfs["AVAL"] > at).sum()))  # fmt: skip

    exposure: list[AgentExposure] = []
    if "adex" in adam and treated.height:
        adex = adam["adex"].join(treated.select("USUBJID"), on="USUBJID")
        for agent in protocol.regimen.agents:
            mine = adex.filter(pl.col("PARCAT1") == agent.name)
            dur = mine.filter(pl.col("PARAMCD") == "DURM")["AVAL"]
            rdi = mine.filter(pl.col("PARAMCD") == "RDI")["AVAL"].drop_nulls()  # none: placebo
            if dur.len():
                exposure.append(AgentExposure(
                    agent.name, dur.len(), float(dur.median()),  # type: ignore[arg-type]
                    float(rdi.median()) if rdi.len() else None,  # type: ignore[arg-type]
                ))  # fmt: skip

    any34, groups, fatal = 0, [], 0
    if "adae" in adam and treated.height:
        teae = (
            adam["adae"]
            .filter(pl.col("TRTEMFL") == "Y")
            .join(treated.select("USUBJID"), on="USUBJID")
        )
        severe = teae.filter(pl.col("ATOXGRN").is_between(3, 4))
        any34 = severe["USUBJID"].n_unique()
        for i, group in enumerate(reported_groups(protocol)):
            col = f"CQ{i + 1:02d}NAM"
            grp = severe.filter(pl.col(col).is_not_null()) if col in severe.columns else severe[:0]
            groups.append(GroupIncidence(group.name, col, grp["USUBJID"].n_unique()))
        fatal = teae.filter(pl.col("AEFATFL") == "Y")["USUBJID"].n_unique()

    return KeyFigures(
        enrolled=adsl.filter(pl.col("ENRLFL") == "Y").height,
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
