"""Calibration of a scenario against a published trial: targets, simulated figures, the check.

The bundled scenario ``nct01010126`` is calibrated so that simulated trials of 59 enrolled
patients reproduce the published results of NCT01010126 (Endocrine-Related Cancer 30(11):
e220301, 2023). This module holds the three pieces of that calibration:

- :func:`published_targets`: each published figure with its published-trial standard error
  (how that SE is computed is stated per target);
- :func:`simulated_metrics`: the same figures computed on simulated trials through the full
  path (:func:`~oncotrial.sim.simulate_trial` -> :func:`~oncotrial.adam.derive_adam` ->
  :func:`~oncotrial.adam.trial_figures`), one row per trial, in parallel processes;
- :func:`check_calibration`: published value, SE, simulated mean, 5% and 95% quantiles, and
  whether the two criteria hold (published inside the central 90%, mean within one SE).

docs/calibration.md records the fit (moment matching with common random numbers) and the
table over 1,000 trials (``python -m bench calibration``).
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from oncotrial._checks import check_int
from oncotrial.adam import derive_adam, reported_groups, trial_figures
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.sim._scenario import Scenario
from oncotrial.sim._trial import simulate_trial

__all__ = [
    "ON_STUDY_DAYS",
    "Target",
    "check_calibration",
    "published_targets",
    "simulated_metrics",
    "trial_metrics",
]

#: A death is "on study" when it falls within this many days of the last dose of any agent.
ON_STUDY_DAYS = 30

#: Reasons for ending treatment counted as "adverse events, refusal or delays" (DS DSDECOD).
_NON_PD_REASONS = ("ADVERSE EVENT", "WITHDRAWAL BY SUBJECT")
#: When two agents end on the same day, the patient's reason is the first of these present.
_REASON_ORDER = ("PROGRESSIVE DISEASE", "DEATH", "ADVERSE EVENT", "WITHDRAWAL BY SUBJECT")


# --------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A published figure and its published-trial standard error.

    Attributes
    ----------
    name : str
        The column of :func:`simulated_metrics` it is compared with.
    label : str
        What it is, as a reader would say it.
    published : float
        The published value, in the column's unit.
    se : float or None
        The sampling standard error of the published estimate (what another trial of the same
        size would vary by), in the same unit; None when the publication gives nothing to
        compute it from (medians without a confidence interval): it is then estimated by
        :func:`check_calibration` as the standard deviation of the figure across the simulated
        trials, i.e. the sampling SE of a 54-patient trial's estimate at the calibrated point.
    se_method : str
        How `se` is computed, in words.
    unit : str
        ``"patients"``, ``"%"``, ``"months"`` or ``"deaths"``.
    """

    name: str
    label: str
    published: float
    se: float | None
    se_method: str
    unit: str


def _binomial_pct(p: float, n: int) -> float:
    return 100.0 * math.sqrt(p * (1.0 - p) / n)


def published_targets() -> tuple[Target, ...]:
    """The published results of NCT01010126 the ``nct01010126`` scenario is calibrated to.

    Source: the abstract (Endocrine-Related Cancer 30(11):e220301, 2023, doi
    10.1530/ERC-22-0301), as in :data:`oncotrial.sim.PUBLISHED_NCT01010126`. Standard errors:

    - a proportion p of the 54 evaluable patients (ORR, PFS6, grade 3-4 rates, discontinuation):
      binomial, ``100 * sqrt(p (1 - p) / 54)`` percentage points (the paper's denominator is the
      54 evaluable for efficacy and adverse events);
    - the 54 evaluable of 59 enrolled: binomial on the count, ``sqrt(59 p (1 - p))`` with
      p = 54/59;
    - deaths (3 on study, 2 of them treatment-related bowel perforations): Poisson, ``sqrt(k)``;
    - medians (PFS, duration of each agent): the abstract gives no confidence interval, so the
      SE is left to :func:`check_calibration`, which takes the standard deviation of the median
      across the simulated trials: the sampling SE of one trial's median at the calibrated
      point. (A Greenwood-based SE would need the published curve.)

    Examples
    --------
    >>> t = {t.name: t for t in published_targets()}
    >>> round(t["orr_pct"].published, 2), round(t["orr_pct"].se, 2)
    (1.85, 1.83)
    >>> round(t["evaluable"].se, 2), round(t["deaths_on_study"].se, 2)
    (2.14, 1.73)
    >>> t["median_pfs_months"].se is None
    True
    """
    n = 54
    prop = f"binomial sqrt(p(1-p)/{n}), p the published share of the {n} evaluable"
    sim_sd = "SD of the figure across the simulated trials (no published CI)"
    return (
        Target("evaluable", "evaluable of 59 enrolled", 54.0,
               math.sqrt(59 * (54 / 59) * (5 / 59)), "binomial sqrt(59 p (1-p)), p = 54/59",
               "patients"),
        Target("orr_pct", "objective response rate (confirmed)", 100.0 / 54,
               _binomial_pct(1 / 54, n), prop, "%"),
        Target("pfs6_pct", "PFS at 6 months (KM)", 48.0, _binomial_pct(0.48, n), prop, "%"),
        Target("median_pfs_months", "median PFS", 7.1, None, sim_sd, "months"),
        Target("duration_temsirolimus_months", "median duration of temsirolimus", 3.9, None,
               sim_sd, "months"),
        Target("duration_bevacizumab_months", "median duration of bevacizumab", 3.5, None,
               sim_sd, "months"),
        Target("grade34_fatigue_pct", "grade 3-4 fatigue", 13.0, _binomial_pct(0.13, n), prop,
               "%"),
        Target("grade34_hypertension_pct", "grade 3-4 hypertension", 13.0,
               _binomial_pct(0.13, n), prop, "%"),
        Target("grade34_bleeding_pct", "grade 3-4 bleeding", 13.0, _binomial_pct(0.13, n), prop,
               "%"),
        Target("discontinued_pct", "off treatment for adverse events, refusal or delays", 54.0,
               _binomial_pct(0.54, n), prop, "%"),
        Target("deaths_on_study", "deaths on study", 3.0, math.sqrt(3.0), "Poisson sqrt(3)",
               "deaths"),
        Target("related_deaths_bowel_perforation",
               "treatment-related deaths from bowel perforation", 2.0, math.sqrt(2.0),
               "Poisson sqrt(2)", "deaths"),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Simulated figures
# --------------------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower())


def _treatment_end_reasons(adsl: pl.DataFrame, n_agents: int) -> list[str | None]:
    """Per treated subject: why protocol treatment as a whole ended (None: still on it).

    The reason is that of the agent that ended last (AGxxEODT); on a tie, the first of
    progression, death, adverse event, withdrawal present. A subject with an agent still
    ongoing (AGxxEOT ONGOING) has not ended treatment.
    """
    out: list[str | None] = []
    cols = [(f"AG{i:02d}EOT", f"AG{i:02d}EOTR", f"AG{i:02d}EODT") for i in range(1, n_agents + 1)]
    for row in adsl.iter_rows(named=True):
        ends = [(row[d], row[r]) for s, r, d in cols if row[s] is not None]
        if (
            not ends
            or any(row[s] == "ONGOING" for s, _, _ in cols)
            or any(d is None for d, _ in ends)
        ):
            out.append(None)
            continue
        last = max(d for d, _ in ends)
        tied = {str(r) for d, r in ends if d == last}
        out.append(next((r for r in _REASON_ORDER if r in tied), min(tied)))
    return out


def trial_metrics(adam: dict[str, pl.DataFrame], *, protocol: Protocol) -> dict[str, float]:
    """The calibration figures of one trial's ADaM, by column name of :func:`simulated_metrics`.

    From :func:`oncotrial.adam.trial_figures` (same populations and rules as the ADaM summary):
    ``evaluable``, ``treated``, ``orr_pct`` (confirmed, of the evaluable), ``pfs6_pct`` (KM at
    the protocol's landmark), ``median_pfs_months``, ``duration_<agent>_months`` (median ADEX
    DURM of the treated), ``grade34_<group>_pct`` (of the treated). And from ADSL:

    - ``discontinued_pct``: treated subjects whose protocol treatment ended (the last agent to
      stop) for an adverse event or withdrawal by subject (refusal), as a share of the treated;
    - ``deaths_on_study``: treated subjects who died within :data:`ON_STUDY_DAYS` days of their
      last dose;
    - ``related_deaths_<group>``: of those, deaths related to treatment (DTHRELFL) whose cause
      (DTHCAUS, the fatal AE's term) is in the reported term group.
    """
    f = trial_figures(adam, protocol=protocol)
    treated = f["treated"]
    out: dict[str, float] = {
        "evaluable": f["evaluable"],
        "treated": treated,
        "orr_pct": 100.0 * f["orr"],
        "pfs6_pct": 100.0 * f["pfs_landmark"],
        "median_pfs_months": f["pfs_median_months"],
    }
    for agent in protocol.regimen.agents:
        out[f"duration_{_slug(agent.name)}_months"] = f[f"duration_months:{agent.name}"]
    groups = reported_groups(protocol)
    for group in groups:
        share = f[f"grade34:{group.name}"] / treated if treated else math.nan
        out[f"grade34_{_slug(group.name)}_pct"] = 100.0 * share
    adsl = adam["adsl"].filter(pl.col("SAFFL") == "Y")
    reasons = _treatment_end_reasons(adsl, len(protocol.regimen.agents))
    stopped = sum(r in _NON_PD_REASONS for r in reasons)
    out["discontinued_pct"] = 100.0 * stopped / treated if treated else math.nan
    on_study = adsl.filter(
        pl.col("DTHDT").is_not_null()
        & (pl.col("DTHDT") <= pl.col("TRTEDT") + pl.duration(days=ON_STUDY_DAYS))
    )
    out["deaths_on_study"] = float(on_study.height)
    related = on_study.filter(pl.col("DTHRELFL") == "Y")
    causes = related["DTHCAUS"].str.strip_chars().str.to_lowercase()
    for group in groups:
        terms = [t.casefold() for t in group.terms]
        out[f"related_deaths_{_slug(group.name)}"] = float(causes.is_in(terms).sum())
    return out


_WORKER: dict[str, Any] = {}


def _init_worker(protocol: Protocol, scenario: Scenario, n_patients: int | None) -> None:
    _WORKER.update(protocol=protocol, scenario=scenario, n_patients=n_patients)


def _one(protocol: Protocol, scenario: Scenario, n_patients: int | None, seed: int
         ) -> dict[str, float]:  # fmt: skip
    sdtm = simulate_trial(protocol, scenario, n_patients=n_patients, seed=seed)
    adam = derive_adam(sdtm, protocol=protocol)
    return {"seed": float(seed), **trial_metrics(adam, protocol=protocol)}


def _one_in_worker(seed: int) -> dict[str, float]:
    return _one(_WORKER["protocol"], _WORKER["scenario"], _WORKER["n_patients"], seed)


def simulated_metrics(
    protocol: Protocol,
    scenario: Scenario,
    seeds: Iterable[int],
    *,
    workers: int = 2,
    n_patients: int | None = None,
) -> pl.DataFrame:
    """The calibration figures of simulated trials, one row per seed, through the full path.

    Each trial is :func:`~oncotrial.sim.simulate_trial` (SDTM), then
    :func:`~oncotrial.adam.derive_adam`, then :func:`trial_metrics`: the figures are computed
    exactly as on real data.

    Parameters
    ----------
    protocol, scenario : Protocol, Scenario
        What to simulate.
    seeds : iterable of int
        One trial per seed; the row of a seed depends on nothing else (deterministic whatever
        the number of workers).
    workers : int, default 2
        Processes (``concurrent.futures.ProcessPoolExecutor``); 1 runs in this process. The
        start method is spawn, not fork (forking a process whose polars thread pool is running
        can deadlock), so a script that calls this with ``workers > 1`` needs the usual
        ``if __name__ == "__main__":`` guard.
    n_patients : int, optional
        Patients enrolled per trial (default the protocol's planned enrolment, 59).

    Returns
    -------
    polars.DataFrame
        Column ``seed`` (int), then the columns of :func:`trial_metrics` (float), in seed order
        as given.
    """
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InputError("needs at least one seed", field="seeds", value=seeds)
    workers = check_int(workers, "workers", minimum=1)
    if workers == 1 or len(seeds) == 1:
        rows = [_one(protocol, scenario, n_patients, s) for s in seeds]
    else:
        chunk = max(1, len(seeds) // (4 * workers))
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(protocol, scenario, n_patients),
        ) as pool:
            rows = list(pool.map(_one_in_worker, seeds, chunksize=chunk))
    frame = pl.DataFrame(rows, infer_schema_length=None)
    return frame.with_columns(pl.col("seed").cast(pl.Int64))


# --------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------


def check_calibration(metrics: pl.DataFrame, targets: Sequence[Target]) -> pl.DataFrame:
    """Published vs simulated: the two criteria of the calibration, per target.

    Parameters
    ----------
    metrics : polars.DataFrame
        From :func:`simulated_metrics`.
    targets : sequence of Target
        From :func:`published_targets`.

    Returns
    -------
    polars.DataFrame
        One row per target: ``target``, ``label``, ``unit``, ``published``, ``se`` (the
        target's SE, or when it has none the SD of the figure across trials), ``se_method``,
        ``trials`` (trials where the figure exists: a median not reached is left out), ``mean``,
        ``sd``, ``p05``, ``p95`` (quantiles, numpy's default linear rule), ``inside_90``
        (p05 <= published <= p95), ``within_se`` (|mean - published| <= se).
    """
    rows: list[dict[str, object]] = []
    for t in targets:
        if t.name not in metrics.columns:
            raise InputError(
                "is not a column of the simulated metrics",
                field="targets",
                value=t.name,
                hint=f"columns: {', '.join(metrics.columns)}",
            )
        x = metrics[t.name].cast(pl.Float64).to_numpy()
        x = x[np.isfinite(x)]
        if x.size == 0:
            raise InputError(f"no simulated trial has a value of {t.name}", field="metrics")
        sd = float(np.std(x, ddof=1)) if x.size > 1 else math.nan
        se = t.se if t.se is not None else sd
        mean = float(np.mean(x))
        p05, p95 = (float(v) for v in np.quantile(x, [0.05, 0.95]))
        rows.append({
            "target": t.name, "label": t.label, "unit": t.unit, "published": t.published,
            "se": se, "se_method": t.se_method, "trials": int(x.size), "mean": mean, "sd": sd,
            "p05": p05, "p95": p95, "inside_90": p05 <= t.published <= p95,
            "within_se": abs(mean - t.published) <= se,
        })  # fmt: skip
    return pl.DataFrame(rows)
