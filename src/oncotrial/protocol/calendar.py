"""Planned calendars from a protocol: administrations, assessments, and SDTM trial design tables.

Study days follow SDTM: the day of the first dose (day 1 of cycle 1) is study day 1, the day
before it is day -1, and there is no day 0. Imaging is counted from day 1 of cycle 1: a scan
"every 8 weeks" is due on study day 1 + 56 = 57, then 113, and so on.

Examples
--------
>>> import datetime as dt
>>> from oncotrial.protocol import load
>>> from oncotrial.protocol.calendar import planned_administrations
>>> adm = planned_administrations(load("nct01010126"), start=dt.date(2024, 1, 8), cycles=1,
...                               weight_kg=70)
>>> cols = ["AGENT", "CYCLE_DAY", "DATE", "DOSE_MG"]
>>> adm.select(cols).to_dicts()[:3]  # doctest: +NORMALIZE_WHITESPACE
[{'AGENT': 'temsirolimus', 'CYCLE_DAY': 1, 'DATE': datetime.date(2024, 1, 8), 'DOSE_MG': 25.0},
 {'AGENT': 'bevacizumab', 'CYCLE_DAY': 1, 'DATE': datetime.date(2024, 1, 8), 'DOSE_MG': 700.0},
 {'AGENT': 'temsirolimus', 'CYCLE_DAY': 8, 'DATE': datetime.date(2024, 1, 15), 'DOSE_MG': 25.0}]
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Sequence
from itertools import takewhile
from typing import Literal, TypeVar

import polars as pl

from oncotrial._checks import check_int, check_positive
from oncotrial.errors import InputError
from oncotrial.protocol._models import BsaDose, FlatDose, Imaging, Protocol, WeightDose

__all__ = [
    "body_surface_area",
    "calendar_tables",
    "imaging_weeks",
    "planned_administrations",
    "planned_assessments",
    "planned_dose_mg",
    "planned_dose_mg_expr",
    "study_day",
    "trial_arms",
    "trial_elements",
    "trial_visits",
]


def study_day(day_index: int) -> int:
    """SDTM study day of the date `day_index` days after the first dose (0 -> 1, -1 -> -1)."""
    return day_index + 1 if day_index >= 0 else day_index


def body_surface_area(
    weight_kg: float, height_cm: float, *, formula: Literal["mosteller", "dubois"] = "mosteller"
) -> float:
    """Body surface area in m2.

    Mosteller (1987): ``sqrt(height_cm * weight_kg / 3600)``.
    DuBois and DuBois (1916): ``0.007184 * weight_kg**0.425 * height_cm**0.725``.

    References
    ----------
    .. [1] Mosteller RD. Simplified calculation of body-surface area. N Engl J Med 317:1098, 1987.
    .. [2] DuBois D, DuBois EF. A formula to estimate the approximate surface area if height and
       weight be known. Arch Intern Med 17:863-871, 1916.

    Examples
    --------
    >>> round(body_surface_area(70, 170), 4)  # sqrt(170 * 70 / 3600) = sqrt(3.30556)
    1.8181
    >>> round(body_surface_area(70, 170, formula="dubois"), 4)
    1.8097
    """
    _positive(weight_kg, "weight_kg", "body weight in kg, e.g. 70")
    _positive(height_cm, "height_cm", "height in cm, e.g. 170")
    return float(_bsa(float(weight_kg), float(height_cm), formula))


#: A number, or a polars expression of numbers: the dose formulas below serve both, so that a
#: patient's dose (the simulator) and a column of them (ADEX) come from the same lines.
_N = TypeVar("_N", float, pl.Expr)


def _bsa(weight: _N, height: _N, formula: str) -> _N:
    if formula == "mosteller":
        area = height * weight / 3600.0
        return math.sqrt(area) if isinstance(area, float) else area.sqrt()
    if formula == "dubois":
        return 0.007184 * weight**0.425 * height**0.725  # type: ignore[no-any-return]
    raise InputError(
        "is not a BSA formula", field="formula", value=formula, hint="use 'mosteller' or 'dubois'"
    )


def _smaller(value: _N, cap: float) -> _N:
    if isinstance(value, float):
        return min(value, cap)
    return pl.min_horizontal(value, pl.lit(cap))


def _dose_mg(dose: WeightDose | BsaDose, weight: _N, height: _N | None) -> _N:
    """Planned mg of a weight- or BSA-based dose (the one place these formulas live)."""
    if isinstance(dose, WeightDose):
        mg = weight * dose.per_kg
        return _smaller(mg, dose.max_mg) if dose.max_mg is not None else mg
    assert height is not None
    bsa = _bsa(weight, height, dose.bsa_formula)
    if dose.max_bsa_m2 is not None:
        bsa = _smaller(bsa, dose.max_bsa_m2)
    return float(dose.per_m2) * bsa


def planned_dose_mg_expr(
    dose: FlatDose | WeightDose | BsaDose,
    *,
    weight_kg: str = "WEIGHTBL",
    height_cm: str = "HEIGHTBL",
) -> pl.Expr:
    """:func:`planned_dose_mg` as a polars expression of the weight (kg) and height (cm)
    columns named.

    Examples
    --------
    >>> from oncotrial.protocol import BsaDose
    >>> frame = pl.DataFrame({"WEIGHTBL": [70.0], "HEIGHTBL": [170.0]})
    >>> dose = BsaDose(per_m2=100)
    >>> frame.select(planned_dose_mg_expr(dose)).item() == planned_dose_mg(
    ...     dose, weight_kg=70.0, height_cm=170.0)
    True
    """
    if isinstance(dose, FlatDose):
        return pl.lit(float(dose.mg))
    return _dose_mg(dose, pl.col(weight_kg), pl.col(height_cm))


def planned_dose_mg(
    dose: FlatDose | WeightDose | BsaDose,
    *,
    weight_kg: float | None = None,
    height_cm: float | None = None,
) -> float:
    """The planned dose in mg for a patient of the given size.

    Examples
    --------
    >>> from oncotrial.protocol import WeightDose
    >>> planned_dose_mg(WeightDose(per_kg=10), weight_kg=70)
    700.0
    """
    if isinstance(dose, FlatDose):
        return float(dose.mg)
    if weight_kg is None:
        raise InputError(
            f"is needed for a {dose.label} dose",
            field="weight_kg",
            hint="give the patient's weight in kg (option --weight on the command line)",
        )
    _positive(weight_kg, "weight_kg", "body weight in kg, e.g. 70")
    if isinstance(dose, BsaDose):
        if height_cm is None:
            raise InputError(
                f"is needed for a {dose.label} dose (body surface area)",
                field="height_cm",
                hint="give the patient's height in cm (option --height on the command line)",
            )
        _positive(height_cm, "height_cm", "height in cm, e.g. 170")
    return float(_dose_mg(dose, float(weight_kg), None if height_cm is None else float(height_cm)))


def planned_administrations(
    protocol: Protocol,
    *,
    start: dt.date,
    cycles: int,
    weight_kg: float | None = None,
    height_cm: float | None = None,
    weights_kg_by_cycle: Sequence[float] | None = None,
) -> pl.DataFrame:
    """Every planned administration of every agent over `cycles` cycles.

    Parameters
    ----------
    protocol : Protocol
        The protocol whose regimen is planned.
    start : date
        Day 1 of cycle 1 (the first dose).
    cycles : int
        Number of cycles to plan; at most the protocol's ``max_cycles``.
    weight_kg, height_cm : float, optional
        Baseline size; needed for mg/kg and mg/m2 agents.
    weights_kg_by_cycle : sequence of float, optional
        Weight on day 1 of each cycle, for agents whose dose follows the weight per cycle;
        without it the baseline weight is used throughout.

    Returns
    -------
    polars.DataFrame
        One row per administration, sorted by date then agent order in the protocol:
        AGENT, ROUTE, CYCLE, CYCLE_DAY, STUDY_DAY, DATE, DOSE, DOSE_UNIT, WEIGHT_KG, BSA_M2,
        DOSE_MG (planned dose in mg, unrounded).
    """
    cycles = _check_cycles(protocol, cycles)
    if weights_kg_by_cycle is not None and len(weights_kg_by_cycle) < cycles:
        raise InputError(
            f"has {len(weights_kg_by_cycle)} weights for {cycles} cycles",
            field="weights_kg_by_cycle",
            hint="give one weight per cycle planned",
        )
    length = protocol.regimen.cycle_length_days
    rows = []
    for order, agent in enumerate(protocol.regimen.agents):
        dose = agent.dose
        for cycle in range(1, cycles + 1):
            weight = weight_kg
            if (
                isinstance(dose, WeightDose | BsaDose)
                and dose.weight == "per_cycle"
                and weights_kg_by_cycle is not None
            ):
                weight = float(weights_kg_by_cycle[cycle - 1])
            mg = planned_dose_mg(dose, weight_kg=weight, height_cm=height_cm)
            bsa = None
            if isinstance(dose, BsaDose) and weight is not None and height_cm is not None:
                bsa = body_surface_area(weight, height_cm, formula=dose.bsa_formula)
                if dose.max_bsa_m2 is not None:
                    bsa = min(bsa, dose.max_bsa_m2)
            amount, unit = _amount(dose)
            for day in agent.days:
                offset = (cycle - 1) * length + day - 1
                rows.append(
                    {
                        "AGENT": agent.name,
                        "ROUTE": agent.route,
                        "CYCLE": cycle,
                        "CYCLE_DAY": day,
                        "STUDY_DAY": study_day(offset),
                        "DATE": start + dt.timedelta(days=offset),
                        "DOSE": amount,
                        "DOSE_UNIT": unit,
                        "WEIGHT_KG": weight if isinstance(dose, WeightDose | BsaDose) else None,
                        "BSA_M2": bsa,
                        "DOSE_MG": mg,
                        "_order": order,
                    }
                )
    schema = {
        "AGENT": pl.String, "ROUTE": pl.String, "CYCLE": pl.Int32, "CYCLE_DAY": pl.Int32,
        "STUDY_DAY": pl.Int32, "DATE": pl.Date, "DOSE": pl.Float64, "DOSE_UNIT": pl.String,
        "WEIGHT_KG": pl.Float64, "BSA_M2": pl.Float64, "DOSE_MG": pl.Float64, "_order": pl.Int32,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema).sort("STUDY_DAY", "_order").drop("_order")


def planned_assessments(protocol: Protocol, *, start: dt.date, cycles: int) -> pl.DataFrame:
    """The planned visits over `cycles` cycles: screening, treatment days, imaging, safety.

    Returns
    -------
    polars.DataFrame
        One row per planned assessment: VISITNUM, VISIT, KIND (``screening``, ``treatment``
        (the administrations of the day), ``imaging``, ``safety``), ASSESSMENT, CYCLE,
        CYCLE_DAY (null for imaging, which runs on its own clock), STUDY_DAY, TARGET_DATE,
        WINDOW_START, WINDOW_END; sorted by study day.
        Visits that fall on the same day share a VISITNUM only when they are the same visit
        (a treatment day); an imaging visit is its own visit even when it falls on a cycle day.
    """
    cycles = _check_cycles(protocol, cycles)
    plan = protocol.assessments
    img = plan.imaging
    length = protocol.regimen.cycle_length_days
    end_offset = cycles * length - 1  # offset of the last day of the last cycle planned
    rows: list[dict[str, object]] = []

    def add(
        visit: str,
        kind: str,
        what: str,
        cycle: int | None,
        cday: int | None,
        offset: int,
        before: int,
        after: int,
    ) -> None:
        rows.append({
            "VISIT": visit, "KIND": kind, "ASSESSMENT": what, "CYCLE": cycle,
            "CYCLE_DAY": cday, "STUDY_DAY": study_day(offset),
            "TARGET_DATE": start + dt.timedelta(days=offset),
            "WINDOW_START": start + dt.timedelta(days=offset - before),
            "WINDOW_END": start + dt.timedelta(days=offset + after),
        })  # fmt: skip

    add(
        "SCREENING",
        "screening",
        f"Baseline imaging ({img.criteria}, {img.modality})",
        None,
        None,
        -1,
        img.baseline_within_days - 1,
        0,
    )
    for cycle in range(1, cycles + 1):
        dosing: dict[int, list[str]] = {}
        for agent in protocol.regimen.agents:
            for day in agent.days:
                dosing.setdefault(day, []).append(agent.name)
        for day, names in sorted(dosing.items()):
            offset = (cycle - 1) * length + day - 1
            add(
                f"CYCLE {cycle} DAY {day}",
                "treatment",
                "Administration: " + ", ".join(names),
                cycle,
                day,
                offset,
                0,
                0,
            )
        for sa in plan.safety:
            for day in sa.days:
                offset = (cycle - 1) * length + day - 1
                add(
                    f"CYCLE {cycle} DAY {day}",
                    "safety",
                    sa.name,
                    cycle,
                    day,
                    offset,
                    sa.window_days,
                    sa.window_days,
                )
    for week in takewhile(lambda w: 7 * w <= end_offset, imaging_weeks(img)):
        add(
            f"WEEK {week} IMAGING",
            "imaging",
            f"Tumour assessment ({img.criteria})",
            None,
            None,
            7 * week,
            img.window_days,
            img.window_days,
        )
    frame = pl.DataFrame(rows, schema={
        "VISIT": pl.String, "KIND": pl.String, "ASSESSMENT": pl.String, "CYCLE": pl.Int32,
        "CYCLE_DAY": pl.Int32, "STUDY_DAY": pl.Int32, "TARGET_DATE": pl.Date,
        "WINDOW_START": pl.Date, "WINDOW_END": pl.Date,
    })  # fmt: skip
    # one VISITNUM per visit, in time order; on a tie the treatment visit comes before imaging
    visits = (
        frame.group_by("VISIT")
        .agg(pl.col("STUDY_DAY").min(), (pl.col("KIND") == "imaging").any().alias("_img"))
        .sort("STUDY_DAY", "_img", "VISIT")
        .with_row_index("VISITNUM", offset=1)
        .select("VISIT", pl.col("VISITNUM").cast(pl.Int32))
    )
    return (
        frame.join(visits, on="VISIT", how="left")
        .sort("VISITNUM", "KIND", "ASSESSMENT")
        .select("VISITNUM", *frame.columns)
    )


def trial_visits(protocol: Protocol, *, cycles: int) -> pl.DataFrame:
    """SDTM TV (trial visits): one row per planned visit, with end-of-treatment and follow-up.

    Columns STUDYID, DOMAIN, VISITNUM, VISIT, VISITDY, ARMCD, ARM, TVSTRL, TVENRL (SDTMIG 3.4,
    section 7.3.1). ARMCD and ARM are blank: every visit applies to the single arm.
    """
    ref = dt.date(2000, 1, 1)  # any date: TV holds study days, not dates
    plan = planned_assessments(protocol, start=ref, cycles=cycles)
    visits = (
        plan.group_by("VISITNUM", "VISIT")
        .agg(
            pl.col("STUDY_DAY").min().alias("VISITDY"),
            pl.col("KIND").first(),
            pl.col("WINDOW_START").min(),
            pl.col("WINDOW_END").max(),
        )
        .sort("VISITNUM")
    )
    rows: list[tuple[int, str, int | None, str, str | None]] = []
    for v in visits.iter_rows(named=True):
        start_rule = (
            f"Within {protocol.assessments.imaging.baseline_within_days} days before the first dose"
            if v["KIND"] == "screening"
            else f"Study day {v['VISITDY']}"
            + _window_text((v["WINDOW_END"] - v["WINDOW_START"]).days // 2)
        )
        rows.append((v["VISITNUM"], v["VISIT"], v["VISITDY"], start_rule, None))
    fu = protocol.assessments.follow_up
    n = len(rows)
    rows.append(
        (
            n + 1,
            "END OF TREATMENT",
            None,
            f"{fu.end_of_treatment_visit_days} days after the last dose of all agents",
            None,
        )
    )
    rows.append(
        (
            n + 2,
            "FOLLOW-UP",
            None,
            f"Every {fu.survival_every_weeks} weeks after end of treatment",
            f"{fu.duration_months} months after registration"
            if fu.duration_months
            else "Death or end of study",
        )
    )
    frame = pl.DataFrame(
        rows, schema={"VISITNUM": pl.Int32, "VISIT": pl.String, "VISITDY": pl.Int32,
                      "TVSTRL": pl.String, "TVENRL": pl.String}, orient="row",
    )  # fmt: skip
    return frame.select(
        pl.lit(protocol.study.id).alias("STUDYID"),
        pl.lit("TV").alias("DOMAIN"),
        "VISITNUM", "VISIT", "VISITDY",
        pl.lit(None, pl.String).alias("ARMCD"),
        pl.lit(None, pl.String).alias("ARM"),
        "TVSTRL", "TVENRL",
    )  # fmt: skip


def trial_elements(protocol: Protocol) -> pl.DataFrame:
    """SDTM TE (trial elements): screening, a treatment cycle, follow-up."""
    reg = protocol.regimen
    img = protocol.assessments.imaging
    rows = [
        ("SCRN", "Screening", "Informed consent",
         "Day 1 of cycle 1", f"P{img.baseline_within_days}D"),
        ("CYCLE", f"Treatment cycle ({reg.cycle_length_days} days): {arm_label(protocol)}",
         "Day 1 of a cycle (first dose of the cycle)",
         f"{reg.cycle_length_days} days later, or end of treatment", f"P{reg.cycle_length_days}D"),
        ("FU", "Follow-up", "End of treatment (all agents stopped)", "Death or end of study", None),
    ]  # fmt: skip
    frame = pl.DataFrame(
        rows, schema=["ETCD", "ELEMENT", "TESTRL", "TEENRL", "TEDUR"], orient="row"
    )
    return frame.select(
        pl.lit(protocol.study.id).alias("STUDYID"), pl.lit("TE").alias("DOMAIN"), pl.all()
    )


def trial_arms(protocol: Protocol, *, cycles: int) -> pl.DataFrame:
    """SDTM TA (trial arms): the single arm as screening, `cycles` treatment cycles, follow-up.

    Columns STUDYID, DOMAIN, ARMCD, ARM, TAETORD, ETCD, ELEMENT, TABRANCH, TATRANS, EPOCH
    (SDTMIG 3.4, section 7.2.1). Each cycle repeats the element CYCLE; TATRANS says when a
    patient leaves treatment for follow-up.
    """
    cycles = _check_cycles(protocol, cycles)
    reg = protocol.regimen
    stop = "progression or unacceptable toxicity"
    if reg.max_cycles is not None:
        stop = f"{stop}, or after cycle {reg.max_cycles}"
    rows: list[tuple[int, str, str, str | None, str]] = [
        (1, "SCRN", "Screening", None, "SCREENING")
    ]
    for c in range(1, cycles + 1):
        rows.append((c + 1, "CYCLE", f"Cycle {c}",
                     f"If {stop}, go to follow-up (FU)", "TREATMENT"))  # fmt: skip
    rows.append((cycles + 2, "FU", "Follow-up", None, "FOLLOW-UP"))
    frame = pl.DataFrame(
        rows, schema=["TAETORD", "ETCD", "ELEMENT", "TATRANS", "EPOCH"], orient="row"
    )
    return frame.select(
        pl.lit(protocol.study.id).alias("STUDYID"),
        pl.lit("TA").alias("DOMAIN"),
        pl.lit(arm_code(protocol)).alias("ARMCD"),
        pl.lit(arm_label(protocol)).alias("ARM"),
        pl.col("TAETORD").cast(pl.Int32),
        "ETCD", "ELEMENT",
        pl.lit(None, pl.String).alias("TABRANCH"),
        "TATRANS", "EPOCH",
    )  # fmt: skip


def calendar_tables(
    protocol: Protocol,
    *,
    start: dt.date,
    cycles: int,
    weight_kg: float | None = None,
    height_cm: float | None = None,
) -> dict[str, pl.DataFrame]:
    """Every planned table at once: administrations, assessments and SDTM TV, TA and TE.

    Keys are the file stems the command line writes (``administrations``, ``assessments``,
    ``tv``, ``ta``, ``te``).
    """
    return {
        "administrations": planned_administrations(
            protocol, start=start, cycles=cycles, weight_kg=weight_kg, height_cm=height_cm
        ),
        "assessments": planned_assessments(protocol, start=start, cycles=cycles),
        "tv": trial_visits(protocol, cycles=cycles),
        "ta": trial_arms(protocol, cycles=cycles),
        "te": trial_elements(protocol),
    }


def arm_label(protocol: Protocol) -> str:
    """``'temsirolimus 25 mg IV d1,8,15,22 + bevacizumab 10 mg/kg IV d1,15 q28d'``."""
    parts = [
        f"{a.name} {a.dose.label} {a.route} d{','.join(str(d) for d in a.days)}"
        for a in protocol.regimen.agents
    ]
    return " + ".join(parts) + f" q{protocol.regimen.cycle_length_days}d"


def arm_code(protocol: Protocol) -> str:
    """ARMCD from the agents' names: ``'TEMSIROL_BEVACIZU'`` (at most 20 characters)."""
    per = max(1, (20 - (len(protocol.regimen.agents) - 1)) // len(protocol.regimen.agents))
    code = "_".join(re.sub(r"[^A-Z0-9]", "", a.name.upper())[:per] for a in protocol.regimen.agents)
    return code[:20]


def imaging_weeks(imaging: Imaging) -> Iterator[int]:
    """The protocol's imaging weeks, without end: ``first_week`` (default ``every_weeks``), then
    every ``every_weeks``, and every ``then_every_weeks`` from ``after_week`` on. Scan week w is
    due 7 w days after day 1 of cycle 1. The one schedule the calendar, the simulator and the
    Monte Carlo fast path follow; each stops it where its own horizon ends.

    Examples
    --------
    >>> from itertools import islice
    >>> from oncotrial.protocol import load
    >>> img = load("nct01010126").assessments.imaging
    >>> list(islice(imaging_weeks(img), 4)), img.every_weeks
    ([8, 16, 24, 32], 8)
    """
    week = imaging.first_week or imaging.every_weeks
    while True:
        yield week
        late = imaging.then_every_weeks is not None and imaging.after_week is not None
        if late and week >= imaging.after_week:  # type: ignore[operator]
            week += imaging.then_every_weeks  # type: ignore[operator]
        else:
            week += imaging.every_weeks


def _window_text(days: int) -> str:
    return f" +/- {days} days" if days else ""


def _amount(dose: FlatDose | WeightDose | BsaDose) -> tuple[float, str]:
    if isinstance(dose, FlatDose):
        return dose.mg, "mg"
    if isinstance(dose, WeightDose):
        return dose.per_kg, "mg/kg"
    return dose.per_m2, "mg/m2"


def _check_cycles(protocol: Protocol, cycles: int) -> int:
    """``cycles`` as an int: a whole number >= 1, at most the protocol's ``max_cycles``."""
    cycles = check_int(cycles, "cycles", minimum=1)
    mx = protocol.regimen.max_cycles
    if mx is not None and cycles > mx:
        raise InputError(
            f"is more than the protocol's max_cycles ({mx})",
            field="cycles",
            value=cycles,
            hint=f"plan at most {mx} cycles for {protocol.study.id}",
        )
    return cycles


def _positive(value: float, field: str, hint: str) -> None:
    check_positive(value, field, hint=hint)
