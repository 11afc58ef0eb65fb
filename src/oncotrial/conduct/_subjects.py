"""One row per subject of what the interim rules read, each fact with the records behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from oncotrial._units import DAYS_PER_MONTH
from oncotrial.conduct._dosing import adverse_events
from oncotrial.conduct._toxicity import counted_events, rule_matchers
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.recist import RecistOptions, derive_best_response
from oncotrial.sdtm import Study

__all__ = ["SUBJECT_SCHEMA", "subject_status"]

#: Columns of :func:`subject_status`.
SUBJECT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "USUBJID": pl.String,
    "SITEID": pl.String,
    "ENRLDT": pl.Date,
    "TRTSDT": pl.Date,
    "DOSES": pl.Int64,
    "TREATED": pl.Boolean,
    "MEASURABLE": pl.Boolean,
    "EVALUABLE": pl.Boolean,
    "EVALORD": pl.Int64,
    "CBOR": pl.String,
    "RESPONDER": pl.Boolean,
    "RESP_SOURCE": pl.String,
    "LANDMARK_FREE": pl.Boolean,
    "LANDMARK_SOURCE": pl.String,
    "TOX_EVENT": pl.Boolean,
    "TOX_RULES": pl.List(pl.String),
    "TOX_SOURCE": pl.String,
    "OFFDT": pl.Date,
    "OFF_REASON": pl.String,
}

_RESPONDING = ("CR", "PR")

#: Response-evaluation window of an interim decision (months from the first dose).
RESPONSE_WINDOW_MONTHS = 6.0


def _date(value: object) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _min(*dates: dt.date | None) -> dt.date | None:
    known = [d for d in dates if d is not None]
    return min(known) if known else None


def _col(frame: pl.DataFrame, name: str) -> list[object]:
    return frame[name].to_list() if name in frame.columns else [None] * frame.height


def _landmark_days(protocol: Protocol) -> float | None:
    lm = next((e for e in protocol.endpoints if e.type == "landmark_rate"), None)
    if lm is None or lm.time_point_months is None:
        return None
    return lm.time_point_months * DAYS_PER_MONTH


def subject_status(
    protocol: Protocol,
    study: Study,
    cutoff: dt.date,
    *,
    response_window_months: float | None = RESPONSE_WINDOW_MONTHS,
) -> pl.DataFrame:
    """What the interim rules read of each subject in DM, as known on `cutoff`.

    The study should already be cut (:func:`oncotrial.conduct.apply_cutoff`); `cutoff` is the
    date outcomes are judged at (a patient still on study then is pending).

    `response_window_months` is the response-evaluation window of an interim decision: a
    patient on study this long after the first dose without a confirmed response counts as a
    non-responder (a later confirmed response still makes a responder). None: pending until
    progression, death or the end of study, which can hold a stage-1 decision for years.

    Returns
    -------
    polars.DataFrame
        One row per DM subject (columns :data:`SUBJECT_SCHEMA`), in order of treatment start
        (untreated last, by enrolment):

        - ENRLDT: enrolment (RFICDTC, else RFSTDTC); TRTSDT: first dose (EX, dose > 0);
          DOSES: administrations; TREATED: at least one;
        - MEASURABLE: a TARGET lesion in TU; EVALUABLE: the protocol's ``evaluable`` rule
          (``min_doses``, ``measurable_disease``, ``post_baseline_assessment``); EVALORD:
          1, 2, ... among the evaluable, in order of treatment start;
        - CBOR: confirmed best overall response from RS OVRLRESP (RECIST 1.1 with the
          protocol's confirmation and minimum-SD days); RESPONDER: True for a confirmed CR
          or PR, False when the patient is off study or progressed without one, null while
          pending; RESP_SOURCE: the RS records (RSSEQ) or event that decided it;
        - LANDMARK_FREE: for the protocol's landmark-rate endpoint (PFS6), True when known
          progression-free beyond the landmark (an assessment or the event after it), False
          when progression or death came first or follow-up ended before it, null while
          pending; LANDMARK_SOURCE likewise;
        - TOX_EVENT: an AE counted by one of the protocol's toxicity rules (each rule's
          ``count``, else the term groups its ``events`` names:
          :func:`oncotrial.conduct.rule_matchers`); TOX_RULES: the rules (their labels) that
          count the patient; TOX_SOURCE: the rule, then each event's AESEQ, term and grade;
        - OFFDT, OFF_REASON: end of follow-up (death, DS END OF STUDY) if known.
    """
    if "dm" not in study:
        raise InputError("the study has no DM domain", field="dm",
                         hint="monitoring needs DM (one record per subject)")  # fmt: skip
    dm = study["dm"]
    usubjids = [str(u) for u in dm["USUBJID"].to_list()]
    sites = [None if s is None else str(s) for s in _col(dm, "SITEID")]
    enrl = [
        _date(a) or _date(b) for a, b in zip(_col(dm, "RFICDTC"), _col(dm, "RFSTDTC"), strict=True)
    ]
    death = dict(zip(usubjids, [_date(d) for d in _col(dm, "DTHDTC")], strict=True))

    # exposure
    first: dict[str, dt.date] = {}
    last: dict[str, dt.date] = {}
    doses: dict[str, int] = {}
    if "ex" in study:
        ex = study["ex"]
        for u, d, amount in zip(
            ex["USUBJID"].to_list(), _col(ex, "EXSTDTC"), _col(ex, "EXDOSE"), strict=True
        ):
            day = _date(d)
            if day is None or (isinstance(amount, (int, float)) and amount <= 0):
                continue
            first[u] = min(first.get(u, day), day)
            last[u] = max(last.get(u, day), day)
            doses[u] = doses.get(u, 0) + 1

    measurable: set[str] = set()
    if "tu" in study:
        tu = study["tu"]
        role = next((c for c in ("TUSTRESC", "TUORRES") if c in tu.columns), None)
        if role is not None:
            measurable = set(
                tu.filter(pl.col(role).str.to_uppercase() == "TARGET")["USUBJID"].to_list()
            )

    # end of study
    off: dict[str, tuple[dt.date, str]] = {}
    for u, d in death.items():
        if d is not None:
            off[u] = (d, "DEATH")
    if "ds" in study:
        ds = study["ds"]
        for u, scat, decod, d in zip(
            ds["USUBJID"].to_list(), _col(ds, "DSSCAT"), _col(ds, "DSDECOD"),
            _col(ds, "DSSTDTC"), strict=True,
        ):  # fmt: skip
            day = _date(d)
            if day is None or str(scat or "").upper() != "END OF STUDY":
                continue
            if u not in off or day < off[u][0]:
                off[u] = (day, f"END OF STUDY: {decod}")

    # responses
    rs_rows: dict[str, list[tuple[dt.date, str, int]]] = {}
    if "rs" in study:
        rs = study["rs"]
        if "RSTESTCD" in rs.columns:
            rs = rs.filter(pl.col("RSTESTCD") == "OVRLRESP")
        if "RSEVAL" in rs.columns:
            rs = rs.filter(pl.col("RSEVAL").is_null() | (pl.col("RSEVAL") == "INVESTIGATOR"))
        resp_col = "RSSTRESC" if "RSSTRESC" in rs.columns else "RSORRES"
        for u, d, r, seq in zip(
            rs["USUBJID"].to_list(), _col(rs, "RSDTC"), _col(rs, resp_col),
            _col(rs, "RSSEQ"), strict=True,
        ):  # fmt: skip
            day = _date(d)
            if day is not None and r is not None:
                number = int(seq) if isinstance(seq, (int, float)) else 0
                rs_rows.setdefault(u, []).append((day, str(r).upper(), number))
    imaging = protocol.assessments.imaging
    options = RecistOptions(
        confirmation_days=imaging.confirmation_min_days, min_sd_days=imaging.min_sd_days
    )
    cbor = _confirmed_bor(usubjids, first, rs_rows, options)

    # toxicity events, by each of the protocol's toxicity rules
    tox_rules = protocol.statistics.toxicity_rules
    several = isinstance(protocol.statistics.toxicity_monitoring, tuple)
    matchers = [
        (rule.label, rule_matchers(
            protocol, rule,
            f"statistics.toxicity_monitoring[{k}]" if several else "statistics.toxicity_monitoring",
        ))
        for k, rule in enumerate(tox_rules)
    ]  # fmt: skip

    landmark = _landmark_days(protocol)
    rule = protocol.study.evaluable
    rows = []
    for u, site, enrolled in zip(usubjids, sites, enrl, strict=True):
        start = first.get(u)
        n_doses = doses.get(u, 0)
        is_meas = u in measurable
        assessed = bool(rs_rows.get(u))
        evaluable = (
            start is not None
            and n_doses >= rule.min_doses
            and (is_meas or not rule.measurable_disease)
            and (assessed or not rule.post_baseline_assessment)
        )
        off_day, off_reason = off.get(u, (None, None))
        records = sorted(rs_rows.get(u, []))
        pd_day = next((d for d, r, _ in records if r == "PD"), None)
        best = cbor.get(u, "MISSING")
        # response: decided by a confirmed CR/PR, or ended by progression, death, end of study
        if best in _RESPONDING:
            responder: bool | None = True
            seqs = [s for d, r, s in records if r in _RESPONDING]
            resp_src = f"RS RSSEQ {', '.join(map(str, seqs))}: confirmed {best}"
        elif pd_day is not None:
            responder, resp_src = False, f"RS PD on {pd_day}, no confirmed response before"
        elif off_day is not None:
            responder, resp_src = False, f"{off_reason} on {off_day}, no confirmed response"
        elif (
            response_window_months is not None
            and start is not None
            and (cutoff - start).days + 1 > response_window_months * DAYS_PER_MONTH
        ):
            responder = False
            resp_src = f"no confirmed response within {response_window_months:g} months"
        else:
            responder, resp_src = None, "pending: on study, no confirmed response yet"
        lm_free, lm_src = _landmark(start, landmark, records, pd_day, death.get(u), off_day,
                                    off_reason, cutoff)  # fmt: skip
        events = adverse_events(study, u) if matchers else ()
        tox_hits = [(label, counted_events(events, m)) for label, m in matchers]
        tox_hits = [(label, hits) for label, hits in tox_hits if hits]
        tox_source = "; ".join(
            f"{label}: {', '.join(e.trace() for e in hits)}" for label, hits in tox_hits
        )
        rows.append(
            {"USUBJID": u, "SITEID": site, "ENRLDT": enrolled, "TRTSDT": start,
             "DOSES": n_doses, "TREATED": start is not None, "MEASURABLE": is_meas,
             "EVALUABLE": evaluable, "EVALORD": None, "CBOR": best,
             "RESPONDER": responder if evaluable else None,
             "RESP_SOURCE": resp_src if evaluable else None,
             "LANDMARK_FREE": lm_free if evaluable else None,
             "LANDMARK_SOURCE": lm_src if evaluable else None,
             "TOX_EVENT": bool(tox_hits) if start is not None else None,
             "TOX_RULES": [label for label, _ in tox_hits],
             "TOX_SOURCE": tox_source or None,
             "OFFDT": off_day, "OFF_REASON": off_reason}
        )  # fmt: skip
    frame = pl.DataFrame(rows, schema=SUBJECT_SCHEMA).sort(
        ["TRTSDT", "ENRLDT", "USUBJID"], nulls_last=True
    )
    order = frame["EVALUABLE"].cast(pl.Int64).cum_sum()
    return frame.with_columns(
        pl.when(pl.col("EVALUABLE")).then(order).otherwise(None).cast(pl.Int64).alias("EVALORD")
    )


def _confirmed_bor(
    usubjids: Sequence[str],
    first: dict[str, dt.date],
    rs_rows: dict[str, list[tuple[dt.date, str, int]]],
    options: RecistOptions,
) -> dict[str, str]:
    started = [u for u in usubjids if u in first]
    if not started:
        return {}
    adsl = pl.DataFrame(
        {"STUDYID": ["S"] * len(started), "USUBJID": started,
         "TRTSDT": [first[u] for u in started]}
    )  # fmt: skip
    recs = [(u, d, r) for u in started for d, r, _ in rs_rows.get(u, [])]
    resp = pl.DataFrame(
        {"STUDYID": ["S"] * len(recs), "USUBJID": [u for u, _, _ in recs],
         "OVRLRESP": [r for _, _, r in recs], "ADT": [d for _, d, _ in recs]},
        schema={"STUDYID": pl.String, "USUBJID": pl.String, "OVRLRESP": pl.String,
                "ADT": pl.Date},
    )  # fmt: skip
    bor = derive_best_response(resp, dataset_adsl=adsl, options=options)
    return dict(zip(bor["USUBJID"].to_list(), bor["CBOR"].to_list(), strict=True))


def _landmark(
    start: dt.date | None,
    landmark: float | None,
    records: list[tuple[dt.date, str, int]],
    pd_day: dt.date | None,
    death_day: dt.date | None,
    off_day: dt.date | None,
    off_reason: str | None,
    cutoff: dt.date,
) -> tuple[bool | None, str | None]:
    """Progression-free beyond the landmark, as the binomial landmark count judges it.

    As ADaM PFS: the time to the event (progression or death) or to the last assessment
    without progression, in days counted from the first dose as day 1; event-free at the
    landmark when that time is beyond it, whichever ends it.
    """
    if start is None or landmark is None:
        return None, None
    event = _min(pd_day, death_day)

    def beyond(day: dt.date) -> bool:
        return (day - start).days + 1 > landmark

    if event is not None:
        why = "progression" if event == pd_day else "death"
        if beyond(event):
            return True, f"{why} on {event}, after the landmark"
        return False, f"{why} on {event}, before the landmark"
    assessed = [(d, s) for d, r, s in records if r != "PD"]
    if assessed and beyond(assessed[-1][0]):
        d, s = assessed[-1]
        return True, f"RS RSSEQ {s} on {d}: no progression, beyond the landmark"
    if off_day is not None:
        return False, f"{off_reason} on {off_day}: follow-up ended before the landmark"
    if not beyond(cutoff):
        return None, "pending: the landmark is after the cut-off"
    return None, "pending: past the landmark, no assessment after it yet"
