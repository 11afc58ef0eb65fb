"""ADSL populations and per-agent treatment status for a single-arm combination trial.

Agents of a combination may stop independently, so each gets its own first and last dose date
and end-of-treatment status. Variables (sponsor-defined, ADaM IG 1.3 allows them) are numbered
by the agent's order in the protocol: ``AG01SDT``, ``AG01EDT``, ``AG01EOT``, ``AG01EOTR`` for
the first agent, with ``AG01NAME`` holding its name, so that the layout does not depend on
agent names.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from oncotrial.adam._adsl import derive_vars_trt_dates
from oncotrial.adam._common import SUBJECT_KEYS, refuse_existing, require_columns
from oncotrial.protocol import Protocol
from oncotrial.sdtm.dates import with_dt

__all__ = [
    "agent_prefix",
    "derive_vars_agent_status",
    "derive_vars_populations",
]

#: DSDECOD values meaning the agent (or study) ended at the protocol's plan.
COMPLETED = ("COMPLETED",)


def agent_prefix(index: int) -> str:
    """``AG01`` for the first agent (index 0) of the protocol."""
    return f"AG{index + 1:02d}"


def derive_vars_agent_status(
    dataset: pl.DataFrame,
    *,
    dataset_ex: pl.DataFrame,
    dataset_ds: pl.DataFrame,
    protocol: Protocol,
    by_vars: Sequence[str] = SUBJECT_KEYS,
) -> pl.DataFrame:
    """Add, per agent, first/last dose dates and end-of-treatment status and reason.

    Parameters
    ----------
    dataset : DataFrame
        ADSL-like, one row per subject.
    dataset_ex : DataFrame
        SDTM EX (EXTRT names the agent as in the protocol, case-insensitive).
    dataset_ds : DataFrame
        SDTM DS. An agent's end of treatment is a record with DSCAT ``DISPOSITION EVENT`` and
        DSSCAT naming the agent (``"END OF TREATMENT - TEMSIROLIMUS"`` or just the name; the
        match is case-insensitive), DSDECOD the reason and DSSTDTC its date.

    Notes
    -----
    For the agent numbered xx (protocol order):

    1. AGxxNAME: the agent's name; AGxxSDT, AGxxEDT: first and last dose (as TRTSDT/TRTEDT).
    2. AGxxEOT: ``COMPLETED`` or ``DISCONTINUED`` from its end-of-treatment record,
       ``ONGOING`` when dosed without one, null when never dosed.
    3. AGxxEOTR: DSDECOD of the end-of-treatment record (the reason), AGxxEODT its date; a
       dosed agent without one ends with the subject's end-of-study record (DSSCAT containing
       "STUDY", e.g. DEATH), if there is one.
    4. Then the overall TRTSDT/TRTEDT over all agents, and EOTSTT: ``ONGOING`` while any agent
       is ongoing, else ``COMPLETED`` if every dosed agent completed, else ``DISCONTINUED``.
    """
    keys = list(by_vars)
    require_columns(dataset_ds, [*keys, "DSCAT", "DSSCAT", "DSDECOD", "DSSTDTC"],
                    frame_name="dataset_ds")  # fmt: skip
    out = dataset
    status_cols = []
    eos = (
        dataset_ds.filter(
            (pl.col("DSCAT") == "DISPOSITION EVENT")
            & pl.col("DSSCAT").str.to_uppercase().str.contains("STUDY", literal=True)
        )
        .pipe(with_dt, "DSSTDTC", alias="_DT")
        .sort([*keys, "_DT"])
        .group_by(keys, maintain_order=True)
        .agg(pl.col("DSDECOD").first().alias("_EOSR"), pl.col("_DT").first().alias("_EOSDT"))
    )
    for i, agent in enumerate(protocol.regimen.agents):
        ag = agent_prefix(i)
        refuse_existing(out, [f"{ag}SDT", f"{ag}EDT", f"{ag}EOT"], frame_name="dataset")
        out = derive_vars_trt_dates(out, dataset_ex=dataset_ex, by_vars=keys, agent=agent.name,
                                    prefix=ag)  # fmt: skip
        eot = (
            dataset_ds.filter(
                (pl.col("DSCAT") == "DISPOSITION EVENT")
                & pl.col("DSSCAT").str.to_uppercase().str.contains(agent.name.upper(), literal=True)
            )
            .pipe(with_dt, "DSSTDTC", alias="_DT")
            .sort([*keys, "_DT"])
            .group_by(keys, maintain_order=True)
            .agg(
                pl.col("DSDECOD").first().alias(f"{ag}EOTR"),
                pl.col("_DT").first().alias(f"{ag}EODT"),
            )
        )
        out = out.join(eot, on=keys, how="left")
        # no end-of-treatment record for the agent, but the subject left the study (death,
        # withdrawal): the agent ended then, for that reason
        out = out.join(eos, on=keys, how="left").with_columns(
            pl.coalesce(f"{ag}EOTR", pl.when(pl.col(f"{ag}SDT").is_not_null())
                        .then(pl.col("_EOSR"))).alias(f"{ag}EOTR"),
            pl.coalesce(f"{ag}EODT", pl.when(pl.col(f"{ag}SDT").is_not_null())
                        .then(pl.col("_EOSDT"))).alias(f"{ag}EODT"),
        ).drop("_EOSR", "_EOSDT")  # fmt: skip
        out = out.with_columns(
            pl.lit(agent.name).alias(f"{ag}NAME"),
            pl.when(pl.col(f"{ag}SDT").is_null())
            .then(pl.lit(None, dtype=pl.String))
            .when(pl.col(f"{ag}EOTR").is_null())
            .then(pl.lit("ONGOING"))
            .when(pl.col(f"{ag}EOTR").is_in(COMPLETED))
            .then(pl.lit("COMPLETED"))
            .otherwise(pl.lit("DISCONTINUED"))
            .alias(f"{ag}EOT"),
        )
        status_cols.append(f"{ag}EOT")
    if "TRTSDT" not in out.columns:
        out = derive_vars_trt_dates(out, dataset_ex=dataset_ex, by_vars=keys)
    statuses = pl.concat_list([pl.col(c) for c in status_cols]).list.drop_nulls()
    return out.with_columns(
        pl.when(statuses.list.len() == 0)
        .then(pl.lit(None, dtype=pl.String))
        .when(statuses.list.contains("ONGOING"))
        .then(pl.lit("ONGOING"))
        .when(statuses.list.eval(pl.element() == "COMPLETED").list.all())
        .then(pl.lit("COMPLETED"))
        .otherwise(pl.lit("DISCONTINUED"))
        .alias("EOTSTT")
    )


def derive_vars_populations(
    dataset: pl.DataFrame,
    *,
    dataset_ex: pl.DataFrame,
    dataset_tu: pl.DataFrame,
    dataset_rs: pl.DataFrame | None,
    protocol: Protocol,
    by_vars: Sequence[str] = SUBJECT_KEYS,
    not_enrolled_armcd: Sequence[str] = ("SCRNFAIL", "NOTASSGN"),
) -> pl.DataFrame:
    """Add ENRLFL, SAFFL, EFFFL and EFFRSN (why a patient is not evaluable).

    Parameters
    ----------
    dataset : DataFrame
        ADSL-like with `by_vars` and ARMCD (from DM), TRTSDT and DTHDT.
    dataset_tu : DataFrame
        SDTM TU: TUSTRESC ``TARGET`` records (TUEVAL INVESTIGATOR when TUEVAL is given) dated
        on or before TRTSDT make the disease measurable at baseline.
    dataset_rs : DataFrame or None
        SDTM RS overall responses (RSTESTCD OVRLRESP) for the post-baseline assessment rule.

    Notes
    -----
    1. ENRLFL = "Y" unless ARMCD is one of `not_enrolled_armcd` (any case: the CDISC pilot
       writes ``Scrnfail``).
    2. SAFFL = "Y" for an enrolled subject with at least one dose (EXDOSE > 0, or EXDOSE 0 of
       a placebo, an agent the protocol doses at 0 mg): the treated population, on which
       safety is reported.
    3. EFFFL = "Y" for an enrolled subject meeting the protocol's evaluable rule
       (``study.evaluable``): at least `min_doses` administrations; measurable disease at
       baseline when required; when required, an overall response after the first dose, or
       death before one. EFFRSN names the first rule a subject fails, in that order:
       "not enrolled", "fewer than N doses", "no measurable disease at baseline",
       "no post-baseline assessment".
    """
    keys = list(by_vars)
    require_columns(dataset, [*keys, "ARMCD", "TRTSDT", "DTHDT"], frame_name="dataset")
    require_columns(dataset_ex, [*keys, "EXDOSE"], frame_name="dataset_ex")
    require_columns(dataset_tu, [*keys, "TUSTRESC", "TUDTC"], frame_name="dataset_tu")
    refuse_existing(dataset, ["ENRLFL", "SAFFL", "EFFFL", "EFFRSN"], frame_name="dataset")
    rule = protocol.study.evaluable
    # a placebo (a protocol agent dosed at 0 mg) is given at EXDOSE 0; any other agent at > 0
    placebo = [a.name.upper() for a in protocol.regimen.agents if getattr(a.dose, "mg", 1) == 0]
    given = pl.col("EXDOSE") > 0
    if placebo and "EXTRT" in dataset_ex.columns:
        given = given | pl.col("EXTRT").str.to_uppercase().is_in(placebo)
    doses = dataset_ex.filter(given).group_by(keys).agg(_NDOSE=pl.len())
    targets = dataset_tu.filter(pl.col("TUSTRESC") == "TARGET")
    if "TUEVAL" in dataset_tu.columns:
        targets = targets.filter(pl.col("TUEVAL").is_null() | (pl.col("TUEVAL") == "INVESTIGATOR"))
    baseline = (
        with_dt(targets, "TUDTC", alias="_DT")
        .join(dataset.select(*keys, "TRTSDT"), on=keys, how="inner")
        .filter(pl.col("TRTSDT").is_null() | (pl.col("_DT") <= pl.col("TRTSDT")))
        .select(keys)
        .unique()
        .with_columns(_MEAS=pl.lit(True))
    )
    out = dataset.join(doses, on=keys, how="left").join(baseline, on=keys, how="left")
    if dataset_rs is not None:
        require_columns(dataset_rs, [*keys, "RSTESTCD", "RSDTC"], frame_name="dataset_rs")
        post = (
            dataset_rs.filter(pl.col("RSTESTCD") == "OVRLRESP")
            .pipe(with_dt, "RSDTC", alias="_DT", highest_imputation="D", date_imputation="last")
            .join(dataset.select(*keys, "TRTSDT"), on=keys, how="inner")
            .filter(pl.col("_DT") > pl.col("TRTSDT"))
            .select(keys)
            .unique()
            .with_columns(_POST=pl.lit(True))
        )
        out = out.join(post, on=keys, how="left")
    else:
        out = out.with_columns(_POST=pl.lit(None, dtype=pl.Boolean))
    not_enrolled = [code.upper() for code in not_enrolled_armcd]
    enrolled = ~pl.col("ARMCD").str.to_uppercase().is_in(not_enrolled).fill_null(False)
    ndose = pl.col("_NDOSE").fill_null(0)
    rules: list[tuple[pl.Expr, str]] = [
        (~enrolled, "not enrolled"),
        (ndose < rule.min_doses,
         f"fewer than {rule.min_doses} doses" if rule.min_doses != 1 else "no dose"),
    ]  # fmt: skip
    if rule.measurable_disease:
        rules.append((~pl.col("_MEAS").fill_null(False), "no measurable disease at baseline"))
    if rule.post_baseline_assessment:
        rules.append((~pl.col("_POST").fill_null(False) & pl.col("DTHDT").is_null(),
                      "no post-baseline assessment"))  # fmt: skip
    # the first rule a subject fails names the reason
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    for cond, text in reversed(rules):
        reason = pl.when(cond).then(pl.lit(text)).otherwise(reason)
    return (
        out.with_columns(
            ENRLFL=pl.when(enrolled).then(pl.lit("Y")).otherwise(pl.lit("N")),
            SAFFL=pl.when(enrolled & (ndose > 0)).then(pl.lit("Y")).otherwise(pl.lit("N")),
            EFFRSN=reason,
        )
        .with_columns(
            EFFFL=pl.when(pl.col("EFFRSN").is_null()).then(pl.lit("Y")).otherwise(pl.lit("N"))
        )
        .drop("_NDOSE", "_MEAS", "_POST")
    )
