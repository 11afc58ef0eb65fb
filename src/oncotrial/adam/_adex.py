"""ADEX: exposure per subject and agent, with the protocol's planned dose and dose intensity.

One record per subject, agent (PARCAT1) and parameter, in the BDS shape of admiral's ADEX
template (``inst/templates/ad_adex.R``), whose summary parameters it mirrors (total dose,
duration, planned dose, relative dose intensity) with the agent-level detail a combination
regimen needs: agents start and stop independently, so each has its own exposure.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from oncotrial._units import DAYS_PER_MONTH
from oncotrial.adam._common import SUBJECT_KEYS, require_columns
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.protocol.calendar import planned_dose_mg_expr
from oncotrial.sdtm.dates import with_dt

__all__ = ["ADEX_PARAMS", "DAYS_PER_MONTH", "derive_adex", "derive_var_baseline_size"]

#: PARAMCD -> (PARAM, unit).
ADEX_PARAMS: dict[str, tuple[str, str]] = {
    "DURD": ("Treatment duration (days)", "days"),
    "DURM": ("Treatment duration (months)", "months"),
    "NCYCLE": ("Number of cycles started", "cycles"),
    "NADMIN": ("Number of administrations", "administrations"),
    "TDOSE": ("Cumulative dose (mg)", "mg"),
    "PLDOSE": ("Planned dose per administration (mg)", "mg"),
    "DI": ("Dose intensity (mg/week)", "mg/week"),
    "PDI": ("Planned dose intensity (mg/week)", "mg/week"),
    "RDI": ("Relative dose intensity (%)", "%"),
    "NREDUC": ("Number of reduced administrations", "administrations"),
    "NDELAY": ("Number of delayed administrations", "administrations"),
    "NMISS": ("Number of missed administrations", "administrations"),
}

#: A dose more than this fraction below the planned one counts as reduced.
REDUCTION_TOLERANCE = 0.05
#: An administration more than this many days after its planned interval counts as delayed.
DELAY_TOLERANCE_DAYS = 3


def derive_var_baseline_size(
    dataset: pl.DataFrame,
    *,
    dataset_vs: pl.DataFrame,
    ref_date: str = "TRTSDT",
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """Add WEIGHTBL (kg) and HEIGHTBL (cm): the last VS value on or before `ref_date`.

    Notes
    -----
    VS records with VSTESTCD WEIGHT (VSSTRESU kg) and HEIGHT (cm), dated by VSDTC; the last
    one on or before the reference date is the baseline, as admiral's ``derive_var_base``
    with the ADSL template's "last value before first dose" rule.
    """
    keys = list(by_vars)
    require_columns(dataset, [*keys, ref_date], frame_name="dataset")
    require_columns(dataset_vs, [*keys, "VSTESTCD", "VSSTRESN", "VSDTC"], frame_name="dataset_vs")
    vs = (
        dataset_vs.filter(pl.col("VSTESTCD").is_in(["WEIGHT", "HEIGHT"]))
        .pipe(with_dt, "VSDTC", alias="_DT")
        .join(dataset.select(*keys, ref_date), on=keys, how="inner")
        .filter(pl.col("_DT") <= pl.col(ref_date))
        .sort([*keys, "VSTESTCD", "_DT"])
        .group_by([*keys, "VSTESTCD"], maintain_order=True)
        .agg(pl.col("VSSTRESN").last())
        .pivot(on="VSTESTCD", index=keys, values="VSSTRESN")
    )
    for col in ("WEIGHT", "HEIGHT"):
        if col not in vs.columns:
            vs = vs.with_columns(pl.lit(None, dtype=pl.Float64).alias(col))
    vs = vs.rename({"WEIGHT": "WEIGHTBL", "HEIGHT": "HEIGHTBL"})
    return dataset.join(vs.select(*keys, "WEIGHTBL", "HEIGHTBL"), on=keys, how="left")


def _daily_records(ex: pl.DataFrame) -> pl.DataFrame:
    """One record per day for the once-daily (EXDOSFRQ QD) records spanning several days."""
    if "EXENDTC" not in ex.columns or "EXDOSFRQ" not in ex.columns or ex.height == 0:
        return ex
    start = pl.col("EXSTDTC").str.slice(0, 10).str.to_date(strict=False)
    end = pl.col("EXENDTC").str.slice(0, 10).str.to_date(strict=False)
    spans = (pl.col("EXDOSFRQ") == "QD") & start.is_not_null() & (end > start)
    if not ex.select(spans.any()).item():
        return ex
    single = ex.filter(~spans.fill_null(False))
    daily = (
        ex.filter(spans.fill_null(False))
        .with_columns(_DAY=pl.date_ranges(start, end))
        .explode("_DAY")
        .with_columns(
            EXSTDTC=pl.col("_DAY").dt.strftime("%Y-%m-%d"),
            EXENDTC=pl.col("_DAY").dt.strftime("%Y-%m-%d"),
        )
        .drop("_DAY")
    )
    return pl.concat([single, daily], how="vertical_relaxed")


def derive_adex(
    dataset_ex: pl.DataFrame,
    *,
    dataset_adsl: pl.DataFrame,
    protocol: Protocol,
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """ADEX: one record per subject, agent and parameter of :data:`ADEX_PARAMS`.

    Parameters
    ----------
    dataset_ex : DataFrame
        SDTM EX: `by_vars`, EXTRT, EXDOSE, EXDOSU (mg, or mg/kg converted with WEIGHTBL),
        EXSTDTC.
    dataset_adsl : DataFrame
        ADSL with `by_vars`, WEIGHTBL and HEIGHTBL (see :func:`derive_var_baseline_size`);
        subjects without a dose of an agent get no records for it.
    protocol : Protocol
        The regimen: which agents, their planned doses, days and cycle length.

    Returns
    -------
    DataFrame
        STUDYID, USUBJID, PARCAT1 (agent), PARAMCD, PARAM, AVAL, AVALU, TRTSDT and TRTEDT of
        the agent (first and last dose), sorted by subject, agent order, PARAMCD.

    Notes
    -----
    Per subject and agent, over the administrations with EXDOSE > 0 (or 0 for a placebo, an
    agent the protocol doses at 0 mg; its RDI is null). A once-daily record spanning days
    (EXDOSFRQ ``QD``, EXENDTC after EXSTDTC, as the CDISC pilot records its patches) counts as
    one administration a day.

    1. TRTSDT, TRTEDT: first and last EXSTDTC (complete dates).
    2. DURD = TRTEDT - TRTSDT + 1; DURM = DURD / 30.4375.
    3. NCYCLE: cycles started, counted from the first dose of any agent in steps of the cycle
       length (a delayed cycle keeps its number: EX VISIT "CYCLE n ..." is used when present).
    4. NADMIN, TDOSE (sum of EXDOSE in mg), PLDOSE (planned mg from the protocol and WEIGHTBL /
       HEIGHTBL).
    5. DI = TDOSE / ((TRTEDT - TRTSDT + interval) / 7) with interval = cycle length / number
       of administration days a cycle (7 days for weekly, 14 for every two weeks): the
       treatment period ends one planned interval after the last dose.
       PDI = PLDOSE x days a cycle / cycle length x 7; RDI = 100 DI / PDI.
    6. NREDUC: doses more than 5% below PLDOSE. NDELAY: administrations more than 3 days later
       than the planned interval after the previous one (gaps at cycle boundaries count the
       cycle's own gap). NMISS: planned administrations in the treatment period not given,
       ``round(period / interval) - NADMIN``, at least 0.
    """
    keys = list(by_vars)
    require_columns(dataset_ex, [*keys, "EXTRT", "EXDOSE", "EXDOSU", "EXSTDTC"],
                    frame_name="dataset_ex")  # fmt: skip
    require_columns(dataset_adsl, [*keys, "WEIGHTBL", "HEIGHTBL"], frame_name="dataset_adsl")
    reg = protocol.regimen
    known = {a.name.lower(): a for a in reg.agents}
    units = dataset_ex.filter(~pl.col("EXDOSU").is_in(["mg", "mg/kg"]))
    if units.height:
        raise InputError(
            "is not a unit ADEX can sum", field="EXDOSU", value=units["EXDOSU"][0],
            hint="record EXDOSE in mg (or mg/kg with weight in VS)",
        )  # fmt: skip
    placebo = [a.name.lower() for a in reg.agents if getattr(a.dose, "mg", 1) == 0]
    ex = (
        dataset_ex.with_columns(_AGENT=pl.col("EXTRT").str.to_lowercase())
        .filter((pl.col("EXDOSE") > 0) | pl.col("_AGENT").is_in(placebo))
        .pipe(_daily_records)
        .pipe(with_dt, "EXSTDTC", alias="_DT")
        .join(dataset_adsl.select(*keys, "WEIGHTBL", "HEIGHTBL"), on=keys, how="inner")
        .with_columns(
            _MG=pl.when(pl.col("EXDOSU") == "mg/kg")
            .then(pl.col("EXDOSE") * pl.col("WEIGHTBL"))
            .otherwise(pl.col("EXDOSE"))
        )
    )
    unknown = ex.filter(~pl.col("_AGENT").is_in(list(known)))
    if unknown.height:
        raise InputError(
            f"is not an agent of protocol {protocol.study.id}", field="EXTRT",
            value=unknown["EXTRT"][0], hint=f"agents: {', '.join(a.name for a in reg.agents)}",
        )  # fmt: skip
    first_any = ex.group_by(keys).agg(pl.col("_DT").min().alias("_FIRST_ANY"))
    ex = ex.join(first_any, on=keys, how="left")
    computed_cycle = (
        pl.col("_DT") - pl.col("_FIRST_ANY")
    ).dt.total_days() // reg.cycle_length_days + 1
    if "VISIT" in ex.columns:
        from_visit = pl.col("VISIT").str.extract(r"(?i)CYCLE\s+(\d+)", 1).cast(pl.Int64)
        ex = ex.with_columns(_CYCLE=pl.coalesce(from_visit, computed_cycle))
    else:
        ex = ex.with_columns(_CYCLE=computed_cycle)

    frames = []
    for order, agent in enumerate(reg.agents):
        per_cycle = len(agent.days)
        interval = reg.cycle_length_days / per_cycle
        planned_gaps = [b - a for a, b in zip(agent.days, agent.days[1:], strict=False)]
        wrap = reg.cycle_length_days - agent.days[-1] + agent.days[0]
        max_gap = max([*planned_gaps, wrap])
        sub = ex.filter(pl.col("_AGENT") == agent.name.lower()).sort([*keys, "_DT"])
        if sub.height == 0:
            continue
        sub = sub.with_columns(
            _PL=planned_dose_mg_expr(agent.dose),
            _GAP=(pl.col("_DT") - pl.col("_DT").shift(1)).over(keys).dt.total_days(),
        )
        agg = sub.group_by(keys, maintain_order=True).agg(
            TRTSDT=pl.col("_DT").min(),
            TRTEDT=pl.col("_DT").max(),
            NCYCLE=pl.col("_CYCLE").n_unique().cast(pl.Float64),
            NADMIN=pl.len().cast(pl.Float64),
            TDOSE=pl.col("_MG").sum(),
            PLDOSE=pl.col("_PL").first(),
            NREDUC=(pl.col("_MG") < pl.col("_PL") * (1 - REDUCTION_TOLERANCE))
            .sum()
            .cast(pl.Float64),
            NDELAY=(pl.col("_GAP") > max_gap + DELAY_TOLERANCE_DAYS).sum().cast(pl.Float64),
        )
        span = (pl.col("TRTEDT") - pl.col("TRTSDT")).dt.total_days()
        period = span + interval
        agg = agg.with_columns(
            DURD=(span + 1).cast(pl.Float64),
            DURM=(span + 1) / DAYS_PER_MONTH,
            DI=pl.col("TDOSE") / (period / 7.0),
            PDI=pl.col("PLDOSE") * per_cycle / reg.cycle_length_days * 7.0,
            NMISS=pl.max_horizontal((period / interval).round(0) - pl.col("NADMIN"), 0.0),
        ).with_columns(RDI=pl.when(pl.col("PDI") > 0).then(100.0 * pl.col("DI") / pl.col("PDI")))
        long = agg.unpivot(
            index=[*keys, "TRTSDT", "TRTEDT"], on=list(ADEX_PARAMS),
            variable_name="PARAMCD", value_name="AVAL",
        ).with_columns(PARCAT1=pl.lit(agent.name), _ORDER=pl.lit(order))  # fmt: skip
        frames.append(long)
    if not frames:
        return pl.DataFrame()
    params = pl.DataFrame(
        {
            "PARAMCD": list(ADEX_PARAMS),
            "PARAM": [p for p, _ in ADEX_PARAMS.values()],
            "AVALU": [u for _, u in ADEX_PARAMS.values()],
            "_PORDER": list(range(len(ADEX_PARAMS))),
        }
    )
    out = pl.concat(frames).join(params, on="PARAMCD", how="left")
    return out.sort([*keys, "_ORDER", "_PORDER"]).select(
        *keys, "PARCAT1", "PARAMCD", "PARAM", "AVAL", "AVALU", "TRTSDT", "TRTEDT"
    )
