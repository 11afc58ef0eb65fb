"""RSPT01 best overall response and TTET01 time to event (chevron ``rspt01``, ``ttet01``)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.report._model import ReportTable, Row
from oncotrial.report._rules import StageOne, design_rules
from oncotrial.report.format import DAYS_PER_MONTH, ci, estimate, months
from oncotrial.report.tables._common import (
    POPULATIONS,
    Adam,
    Columns,
    arm_columns,
    blank,
    dataset,
    endpoint_population,
    per_column,
    population,
    require,
    subject_cells,
)
from oncotrial.stats import KaplanMeier, clopper_pearson, kaplan_meier, median_follow_up
from oncotrial.terminology import RESPONSE_LABELS

#: Best overall response categories (ADRS AVALC) in the shell's order, with their labels.
RESPONSES = RESPONSE_LABELS
RESPONDERS = ("CR", "PR")
DISEASE_CONTROL = ("CR", "PR", "SD", "NON-CR/NON-PD")
CI_LABEL = "95% CI (Clopper-Pearson)"
ADJUSTED_CI_LABEL = "95% CI (Koyama-Chen, stage-wise ordering)"

#: A cell of TTET01 from one column's Kaplan-Meier fit and its ADTTE records.
KmCell = Callable[[KaplanMeier, pl.DataFrame], str]


def _efficacy_columns(
    adam: Adam, protocol: Protocol, types: tuple[str, ...], table: str
) -> tuple[pl.DataFrame, Columns, str]:
    which = endpoint_population(protocol, types)
    pop = population(adam, which, table=table)
    return pop, arm_columns(pop, "ARM"), POPULATIONS[which][1]


def _rate_rows(bor: pl.DataFrame, cols: Columns, label: str, codes: tuple[str, ...]) -> list[Row]:
    hits = bor.filter(pl.col("AVALC").is_in(list(codes)))

    def interval(f: pl.DataFrame, n: int) -> str:
        if n == 0:
            return ""
        res = clopper_pearson(f.filter(pl.col("AVALC").is_in(list(codes))).height, n)
        return ci(res.lower, res.upper, digits=1, scale=100)

    return [
        Row(label, subject_cells(hits, cols)),
        Row(CI_LABEL, per_column(cols, bor, interval), indent=1),
    ]


def response(adam: Adam, protocol: Protocol) -> ReportTable:
    """RSPT01: best overall response, objective response and disease control rates.

    On the population of the protocol's response-rate endpoint (evaluable in the seed
    protocol). Best overall response is ADRS CBOR (confirmed, RECIST 1.1) when ADRS has it,
    else BOR; a patient without a record counts as Missing, so the categories add up to N.
    Objective response = CR + PR, disease control = CR + PR + SD + NON-CR/NON-PD, each with
    its exact Clopper-Pearson 95% CI (R ``binom.test``), the right interval near 0%. For a
    Simon two-stage design, a block says whether the stage-1 rule was met and gives the
    response rate adjusted for the design (UMVUE, Koyama-Chen 95% CI, p-value; see
    :func:`oncotrial.report._rules.design_rules`) in the All patients column.

    Raises
    ------
    InputError
        Without ADSL and its population flag, or ADRS with BOR/CBOR records.
    """
    table = "rspt01"
    pop, cols, pop_line = _efficacy_columns(adam, protocol, ("response_rate",), table)
    adrs = dataset(adam, "adrs", table=table)
    require(adrs, ["USUBJID", "PARAMCD", "AVALC"], name="adrs", table=table)
    present = set(adrs["PARAMCD"].unique().to_list())
    param = next((p for p in ("CBOR", "BOR") if p in present), None)
    if param is None:
        raise InputError(
            f"table {table} needs ADRS records with PARAMCD CBOR or BOR",
            field="ADRS.PARAMCD",
            hint="derive ADRS with oncotrial.adam.derive_adrs",
        )
    recs = adrs.filter(pl.col("PARAMCD") == param).select("USUBJID", "AVALC")
    bor = pop.select("USUBJID").join(recs, on="USUBJID", how="left")
    bor = bor.with_columns(pl.col("AVALC").fill_null("MISSING"))
    rows = _rate_rows(bor, cols, "Responders (CR + PR)", RESPONDERS)
    rows += _rate_rows(bor, cols, "Disease control (CR + PR + SD + Non-CR/non-PD)", DISEASE_CONTROL)
    rows.append(Row("Best overall response", blank(cols)))
    extra = sorted(set(bor["AVALC"].to_list()) - set(RESPONSES))
    for code in [*RESPONSES, *extra]:
        rows.append(
            Row(
                RESPONSES.get(code, code),
                subject_cells(bor.filter(pl.col("AVALC") == code), cols),
                indent=1,
            )
        )
    kind = "confirmed (CBOR)" if param == "CBOR" else "unconfirmed (BOR)"
    notes = [
        f"Best overall response by RECIST 1.1, {kind}; Missing: no response record.",
        "95% CI: exact Clopper-Pearson (R binom.test), in percent.",
        "Percentages of the column's N.",
    ]
    stage = design_rules(adam, protocol).stage_one
    if stage is not None:
        more, more_notes = stage_one_rows(stage, cols)
        rows += more
        notes += more_notes
    return ReportTable(
        table, "Best overall response", pop_line, "", cols.headers, tuple(rows), tuple(notes)
    )


def _last(cols: Columns, text: str) -> tuple[str, ...]:
    """A study-level value in the last column ("All patients"), the others blank."""
    return (*blank(cols)[:-1], text)


def stage_one_rows(stage: StageOne, cols: Columns) -> tuple[list[Row], list[str]]:
    """RSPT01's block on a Simon two-stage design: the stage-1 rule and whether it was met,
    and the response rate adjusted for the design, with the footnotes that define them."""
    what = " + ".join(stage.categories)
    rows = [
        Row(f"Simon two-stage design on {stage.endpoint} (stop if <= {stage.r1} of "
            f"{stage.n1}; <= {stage.r} of {stage.n} in all)", blank(cols)),
        Row(f"Responders ({what}) among the first {stage.n1} evaluable",
            _last(cols, f"{stage.successes}/{min(stage.n1, stage.evaluable)}"), indent=1),
    ]  # fmt: skip
    if stage.met is None:
        verdict = f"Not reached ({stage.evaluable} evaluable)"
    elif stage.met:
        verdict = "Met: continue to stage 2"
    else:
        verdict = "Not met: stop for futility"
    rows.append(Row(f"Stage-1 rule (more than {stage.r1} of {stage.n1})", _last(cols, verdict),
                    indent=1))  # fmt: skip
    notes = [
        f"Stage-1 rule: responders among the first {stage.n1} evaluable patients in order of "
        "first dose (TRTSDT, then USUBJID).",
    ]
    inf = stage.adjusted
    if inf is not None:
        at = f"stage {inf.stage}, {inf.x}/{inf.m}"
        rows += [
            Row(f"Response rate adjusted for the design (UMVUE; {at})",
                _last(cols, f"{estimate(inf.umvue, 1, scale=100)}%"), indent=1),
            Row(ADJUSTED_CI_LABEL, _last(cols, ci(inf.ci_low, inf.ci_high, 1, scale=100)),
                indent=2),
            Row(f"One-sided p-value, H0: rate <= {stage.p0:g}",
                _last(cols, estimate(inf.p_value, 4)), indent=2),
        ]  # fmt: skip
        notes.append(
            "Adjusted for the two-stage design (R clinfun twostage.inference): UMVUE (Jung "
            "and Kim 2004); exact 95% CI and p-value by stage-wise ordering (Koyama and Chen "
            "2008), in percent."
        )
    else:
        notes.append(f"No estimate adjusted for the two-stage design: {stage.reason}.")
    return rows, notes


# ---------------------------------------------------------------- time to event


def _fit(recs: pl.DataFrame) -> KaplanMeier | None:
    if recs.height == 0:
        return None
    return kaplan_meier(recs["AVAL"].to_numpy(), (recs["CNSR"] == 0).to_numpy())


def _km_cells(cols: Columns, recs: pl.DataFrame, cell: KmCell) -> tuple[str, ...]:
    def one(f: pl.DataFrame, _n: int) -> str:
        fit = _fit(f)
        return "" if fit is None else cell(fit, f)

    return per_column(cols, recs, one)


def _m(days: float | None) -> str:
    return estimate(months(days), 1)


def _range(_fit: KaplanMeier, f: pl.DataFrame) -> str:
    # at tied extremes events sort first, so the minimum is an event and the maximum a
    # censoring when there is one (CNSR other than 0 is a censoring, whatever its code)
    ordered = f.sort("AVAL", pl.col("CNSR") != 0)

    def end(i: int) -> str:
        rec = ordered.row(i, named=True)
        return _m(rec["AVAL"]) + ("" if rec["CNSR"] == 0 else "+")

    return f"{end(0)} to {end(-1)}"


def _quartiles(fit: KaplanMeier, _f: pl.DataFrame) -> str:
    q = fit.quantile([0.25, 0.75])
    return f"{_m(float(q.time[0]))}, {_m(float(q.time[1]))}"


def _landmark_rows(cols: Columns, recs: pl.DataFrame, at_months: float, group: str) -> list[Row]:
    at = at_months * DAYS_PER_MONTH

    def risk(fit: KaplanMeier, _f: pl.DataFrame) -> str:
        return str(int(fit.survival_at(at).n_risk[0]))

    def rate(fit: KaplanMeier, _f: pl.DataFrame) -> str:
        return estimate(float(fit.survival_at(at).surv[0]), 1, scale=100)

    def limits(fit: KaplanMeier, _f: pl.DataFrame) -> str:
        lm = fit.survival_at(at)
        return ci(float(lm.lower[0]), float(lm.upper[0]), 1, scale=100)

    return [
        Row(f"At {at_months:g} months", blank(cols), group=group),
        Row("Patients remaining at risk", _km_cells(cols, recs, risk), indent=1, group=group),
        Row("Event-free rate (%)", _km_cells(cols, recs, rate), indent=1, group=group),
        Row("95% CI", _km_cells(cols, recs, limits), indent=1, group=group),
    ]


def _tte_rows(cols: Columns, recs: pl.DataFrame, landmarks: list[float], group: str) -> list[Row]:
    events = recs.filter(pl.col("CNSR") == 0)
    rows = [Row("Patients with event", subject_cells(events, cols), group=group)]
    if "EVNTDESC" in recs.columns:
        freq = events.group_by("EVNTDESC").len().sort(["len", "EVNTDESC"], descending=[True, False])
        rows.append(Row("Earliest contributing event", blank(cols), indent=1, group=group))
        rows += [
            Row(
                str(d),
                subject_cells(events.filter(pl.col("EVNTDESC") == d), cols),
                indent=2,
                group=group,
            )
            for d in freq["EVNTDESC"].to_list()
        ]
    rows.append(
        Row(
            "Patients without event (censored)",
            subject_cells(recs.filter(pl.col("CNSR") != 0), cols),
            group=group,
        )
    )
    stats: list[tuple[str, KmCell]] = [
        ("Median", lambda fit, _f: _m(fit.median.time)),
        ("95% CI", lambda fit, _f: ci(months(fit.median.lower), months(fit.median.upper), 1)),
        ("25% and 75%-ile", _quartiles),
        ("Range", _range),
    ]
    rows.append(Row("Time to event (months)", blank(cols), group=group))
    rows += [Row(name, _km_cells(cols, recs, cell), indent=1, group=group) for name, cell in stats]
    for t in landmarks:
        rows += _landmark_rows(cols, recs, t, group)
    return rows


def _follow_up(cols: Columns, os_recs: pl.DataFrame) -> list[Row]:
    def cell(f: pl.DataFrame, _n: int) -> str:
        if f.height == 0:
            return ""
        fu = median_follow_up(f["AVAL"].to_numpy(), (f["CNSR"] == 0).to_numpy())
        return f"{_m(fu.time)} {ci(months(fu.lower), months(fu.upper), 1)}"

    group = "Follow-up"
    return [Row("Median follow-up, months (95% CI)", per_column(cols, os_recs, cell), group=group)]


#: ADTTE parameters TTET01 shows, in order.
TTE_PARAMS = ("PFS", "OS")


def time_to_event(adam: Adam, protocol: Protocol) -> ReportTable:
    """TTET01: progression-free and overall survival.

    For each of PFS and OS (ADTTE, AVAL in days, CNSR 0 = event): patients with an event and
    the earliest contributing event (EVNTDESC), patients censored, the Kaplan-Meier median
    with its 95% CI, quartiles and range in months (30.4375 days), and the event-free rate at
    each landmark of the protocol's landmark endpoints (6 months in the seed protocol) with
    patients at risk and the 95% CI; then the median follow-up by reverse Kaplan-Meier on OS.
    Intervals are R survival's default ``conf.type = "log"`` (Greenwood variance); medians by
    ``quantile.survfit``.

    Raises
    ------
    InputError
        Without ADSL and its population flag, or ADTTE with PFS or OS records.
    """
    table = "ttet01"
    pop, cols, pop_line = _efficacy_columns(
        adam, protocol, ("landmark_rate", "median_time_to_event"), table
    )
    adtte = dataset(adam, "adtte", table=table)
    require(adtte, ["USUBJID", "PARAMCD", "AVAL", "CNSR"], name="adtte", table=table)
    adtte = adtte.join(pop.select("USUBJID"), on="USUBJID", how="semi")
    landmarks = sorted(
        {
            ep.time_point_months
            for ep in protocol.endpoints
            if ep.type == "landmark_rate" and ep.time_point_months is not None
        }
    )
    rows: list[Row] = []
    for param in TTE_PARAMS:
        recs = adtte.filter(pl.col("PARAMCD") == param)
        if recs.height:
            label = recs["PARAM"][0] if "PARAM" in recs.columns else param
            rows += _tte_rows(cols, recs, landmarks, f"{label} ({param})")
    if not rows:
        raise InputError(
            f"table {table} needs ADTTE records with PARAMCD PFS or OS",
            field="ADTTE.PARAMCD",
            hint="derive ADTTE with oncotrial.adam.derive_adtte",
        )
    os_recs = adtte.filter(pl.col("PARAMCD") == "OS")
    if os_recs.height:
        rows += _follow_up(cols, os_recs)
    notes = (
        "Kaplan-Meier estimates; 95% CIs of the median and of the rates use R survival's "
        "default log transform (conf.type = 'log', Greenwood variance); median by "
        "quantile.survfit; NE: not estimable.",
        "Months of 30.4375 days; +: censored observation.",
        "Median follow-up: reverse Kaplan-Meier on OS (Schemper and Smith 1996).",
        "Percentages of the column's N.",
    )
    return ReportTable(
        table, "Time-to-event endpoints", pop_line, "", cols.headers, tuple(rows), notes
    )
