"""What the figures read from ADaM: populations, arms, tumour sizes, agent spans, events.

Every reader names the dataset and column it needs in an :class:`~oncotrial.errors.InputError`
when they are missing, and works on the variables that both oncotrial's ADaM and
pharmaverseadam (admiral/admiralonco templates) hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from oncotrial.errors import InputError

__all__ = [
    "AgentSpan",
    "agent_spans",
    "arm_variable",
    "best_response",
    "default_population",
    "first_events",
    "population_subjects",
    "require",
    "target_sums",
]

Adam = Mapping[str, pl.DataFrame]
POPULATION_LABELS = {
    "EFFFL": "evaluable patients (EFFFL)",
    "SAFFL": "treated patients (SAFFL)",
    "ENRLFL": "enrolled patients (ENRLFL)",
    "ITTFL": "intention-to-treat population (ITTFL)",
}


def require(adam: Adam, name: str, columns: Sequence[str] = ()) -> pl.DataFrame:
    """The dataset `name` of `adam`, checked to hold `columns`."""
    if name not in adam:
        raise InputError(
            f"no {name.upper()} dataset",
            field=name,
            hint=f"datasets given: {', '.join(sorted(adam)) or 'none'}; derive_adam makes {name}",
        )
    frame = adam[name]
    for column in columns:
        if column not in frame.columns:
            raise InputError(
                f"{name.upper()} has no column {column}",
                field=column,
                hint=f"{name.upper()} needs {', '.join(columns)} (see docs/adam.md)",
            )
    return frame


def default_population(adsl: pl.DataFrame, order: Sequence[str] = ("EFFFL", "SAFFL")) -> str | None:
    """The first population flag of `order` that ADSL holds; None (everyone) if none."""
    return next((flag for flag in order if flag in adsl.columns), None)


def population_label(flag: str | None) -> str:
    """Words for a population flag, for titles and captions."""
    if flag is None:
        return "all patients"
    return POPULATION_LABELS.get(flag, f"patients with {flag} = Y")


def arm_variable(adsl: pl.DataFrame) -> str | None:
    """ARM (as randomised, chevron's default for efficacy), else ACTARM, else None."""
    return next((c for c in ("ARM", "ACTARM") if c in adsl.columns), None)


def population_subjects(adsl: pl.DataFrame, flag: str | None) -> pl.DataFrame:
    """USUBJID and ARM (the arm, "All patients" without one) of the subjects with `flag` = Y.

    Raises
    ------
    InputError
        When ADSL has no column `flag`.
    """
    if "USUBJID" not in adsl.columns:
        raise InputError("ADSL has no column USUBJID", field="USUBJID")
    if flag is not None and flag not in adsl.columns:
        present = [c for c in adsl.columns if c.endswith("FL") and len(c) == 5]
        raise InputError(
            f"ADSL has no population flag {flag}",
            field=flag,
            hint=f"flags in ADSL: {', '.join(present) or 'none'}; pass one, or None for all",
        )
    frame = adsl if flag is None else adsl.filter(pl.col(flag) == "Y")
    arm = arm_variable(adsl)
    arm_expr = pl.col(arm).fill_null("(no arm)") if arm else pl.lit("All patients")
    return frame.select("USUBJID", arm_expr.cast(pl.String).alias("ARM")).unique(
        "USUBJID", keep="first", maintain_order=True
    )


def best_response(adam: Adam, paramcd: str = "CBOR") -> pl.DataFrame:
    """USUBJID and BOR: the ADRS `paramcd` category (confirmed best response by default).

    Subjects without a record get MISSING (as ADRS's own MISSING category).
    """
    if "adrs" not in adam:
        return pl.DataFrame(schema={"USUBJID": pl.String, "BOR": pl.String})
    adrs = require(adam, "adrs", ["USUBJID", "PARAMCD", "AVALC"])
    return (
        adrs.filter(pl.col("PARAMCD") == paramcd)
        .select("USUBJID", pl.col("AVALC").fill_null("MISSING").alias("BOR"))
        .unique("USUBJID", keep="first", maintain_order=True)
    )


def _post_baseline(tr: pl.DataFrame) -> pl.Expr:
    """Sum-of-diameter records after baseline that a best change may use.

    Post-baseline: ABLFL not Y. A percent change must exist: oncotrial's ADTR leaves PCHG null
    at a visit with an unmeasured target lesion; admiralonco's ADTR template keeps it but
    flags the complete visits ANL01FL = Y, so that flag is honoured when present.
    """
    cond = pl.col("PCHG").is_not_null() & pl.col("ABLFL").fill_null("N").ne("Y")
    if "ANL01FL" in tr.columns:
        cond &= pl.col("ANL01FL") == "Y"
    return cond


def target_sums(adam: Adam, flag: str | None) -> pl.DataFrame:
    """Per-visit percent change of the target-lesion sum (ADTR PARAMCD SDIAM), post-baseline.

    Returns
    -------
    DataFrame
        USUBJID, ADT, PCHG, DAY (days from the first dose, ADSL TRTSDT, or from the baseline
        scan when TRTSDT is absent) for the subjects of population `flag`, sorted by USUBJID
        and ADT.
    """
    tr = require(adam, "adtr", ["USUBJID", "PARAMCD", "ADT", "PCHG", "ABLFL"])
    adsl = require(adam, "adsl", ["USUBJID"])
    subjects = population_subjects(adsl, flag)
    sums = tr.filter(pl.col("PARAMCD") == "SDIAM").join(subjects, on="USUBJID", how="semi")
    if "TRTSDT" in adsl.columns:
        origin = adsl.select("USUBJID", pl.col("TRTSDT").alias("_T0"))
    else:
        origin = (
            sums.filter(pl.col("ABLFL") == "Y").group_by("USUBJID").agg(_T0=pl.col("ADT").min())
        )
    post = sums.filter(_post_baseline(sums)).join(origin, on="USUBJID", how="left")
    return post.select(
        "USUBJID",
        "ADT",
        "PCHG",
        DAY=(pl.col("ADT") - pl.col("_T0")).dt.total_days().cast(pl.Float64),
    ).sort("USUBJID", "ADT")


@dataclass(frozen=True, slots=True)
class AgentSpan:
    """One agent's time on treatment per patient: columns USUBJID, START and END (days from
    the patient's first dose of any agent; END is the day after the last dose, so END - START
    is the agent's duration, last dose - first dose + 1) and ONGOING (bool)."""

    name: str
    frame: pl.DataFrame


def agent_spans(adsl: pl.DataFrame, subjects: pl.DataFrame) -> tuple[AgentSpan, ...]:
    """Per-agent spans of `subjects` from ADSL AGxxSDT/AGxxEDT (one per agent, in xx order).

    An ADSL without per-agent dates (pharmaverseadam: one study treatment per arm) gives a
    single span "Study treatment" from TRTSDT to TRTEDT. Patients never dosed with an agent,
    or whose last dose date is missing, have no row in its span.
    """
    numbers = sorted({m.group(1) for c in adsl.columns if (m := re.fullmatch(r"AG(\d\d)SDT", c))})
    base = adsl.join(subjects.select("USUBJID"), on="USUBJID", how="semi")
    if "TRTSDT" not in base.columns:
        raise InputError("ADSL has no column TRTSDT", field="TRTSDT",
                         hint="the swimmer plot counts days from the first dose")  # fmt: skip
    sources: list[tuple[str, str, str, str | None]] = []
    for xx in numbers:
        names = base[f"AG{xx}NAME"].drop_nulls() if f"AG{xx}NAME" in base.columns else None
        name = str(names[0]) if names is not None and names.len() else f"Agent {int(xx)}"
        eot = f"AG{xx}EOT" if f"AG{xx}EOT" in base.columns else None
        sources.append((name, f"AG{xx}SDT", f"AG{xx}EDT", eot))
    if not sources:
        if "TRTEDT" not in base.columns:
            raise InputError("ADSL has no column TRTEDT", field="TRTEDT")
        eot = "EOTSTT" if "EOTSTT" in base.columns else None
        sources.append(("Study treatment", "TRTSDT", "TRTEDT", eot))
    spans = []
    for name, sdt, edt, eot in sources:
        ongoing = (pl.col(eot) == "ONGOING").fill_null(False) if eot else pl.lit(False)
        # a missing last-dose date (two treated patients of pharmaverseadam) is an unknown
        # duration: no bar rather than an invented one
        known = pl.col(sdt).is_not_null() & pl.col(edt).is_not_null()
        frame = base.filter(known & pl.col("TRTSDT").is_not_null()).select(
            "USUBJID",
            START=(pl.col(sdt) - pl.col("TRTSDT")).dt.total_days().cast(pl.Float64),
            END=(pl.col(edt) - pl.col("TRTSDT")).dt.total_days().cast(pl.Float64) + 1.0,
            ONGOING=ongoing,
        )
        spans.append(AgentSpan(name, frame.sort("USUBJID")))
    return tuple(spans)


def first_events(adam: Adam, subjects: pl.DataFrame) -> pl.DataFrame:
    """First response, first progression and death per subject, in study days (first dose = 1).

    Returns
    -------
    DataFrame
        USUBJID, RSPDY (first CR or PR overall response, ADRS OVR with ANL01FL = Y), RSPC
        ("CR" or "PR", that response), PDDY (first PD overall response), DTHDY (ADSL DTHDT);
        null where there is none. Study day = date - TRTSDT + 1, as ADTTE's AVAL counts.
    """
    adsl = require(adam, "adsl", ["USUBJID", "TRTSDT"])
    out = adsl.join(subjects.select("USUBJID"), on="USUBJID", how="semi").select(
        "USUBJID",
        "TRTSDT",
        pl.col("DTHDT") if "DTHDT" in adsl.columns else pl.lit(None, pl.Date).alias("DTHDT"),
    )
    if "adrs" in adam:
        adrs = require(adam, "adrs", ["USUBJID", "PARAMCD", "AVALC", "ADT"])
        ovr = adrs.filter((pl.col("PARAMCD") == "OVR") & pl.col("ADT").is_not_null())
        if "ANL01FL" in ovr.columns:
            ovr = ovr.filter(pl.col("ANL01FL") == "Y")
        ovr = ovr.sort("USUBJID", "ADT")
        rsp = (
            ovr.filter(pl.col("AVALC").is_in(["CR", "PR"]))
            .group_by("USUBJID")
            .agg(RSPDT=pl.col("ADT").first(), RSPC=pl.col("AVALC").first())
        )
        pd_ = ovr.filter(pl.col("AVALC") == "PD").group_by("USUBJID").agg(PDDT=pl.col("ADT").min())
        out = out.join(rsp, on="USUBJID", how="left").join(pd_, on="USUBJID", how="left")
    else:
        out = out.with_columns(
            RSPDT=pl.lit(None, pl.Date), RSPC=pl.lit(None, pl.String), PDDT=pl.lit(None, pl.Date)
        )

    def day(col: str) -> pl.Expr:
        return ((pl.col(col) - pl.col("TRTSDT")).dt.total_days() + 1).cast(pl.Float64)

    return out.select(
        "USUBJID", RSPDY=day("RSPDT"), RSPC="RSPC", PDDY=day("PDDT"), DTHDY=day("DTHDT")
    ).sort("USUBJID")
