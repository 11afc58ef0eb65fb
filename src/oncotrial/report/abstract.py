"""The results paragraph of the report's abstract, every number traced to its ADaM source.

:func:`abstract` writes the paragraph a journal abstract gives under "Results" (populations,
response, progression-free survival, exposure, grade 3-4 toxicity, deaths on study, and
whether the design's decision rule was met) from a trial's ADaM; each number in the text has
one entry in :attr:`Abstract.trace`, in the order it appears, naming the dataset, the filter
and the statistic it comes from. :func:`write_abstract` stores both (abstract.md,
abstract.json).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import polars as pl

from oncotrial._units import DAYS_PER_MONTH as _DAYS_PER_MONTH
from oncotrial.adam import KeyFigures, key_figures
from oncotrial.design import design_for
from oncotrial.errors import InputError
from oncotrial.protocol import Endpoint as ProtocolEndpoint
from oncotrial.protocol import Protocol
from oncotrial.report._rules import DesignRules, design_rules
from oncotrial.report.format import round_half_up
from oncotrial.report.render._files import prepare_dir, write_atomic

__all__ = ["NUMBER", "Abstract", "abstract", "write_abstract"]

#: What counts as a number in the text: digits, an optional decimal part, an optional "%".
NUMBER = re.compile(r"\d+(?:\.\d+)?%?")

#: Days in a month, as the ADaM durations and chevron's ``convert_to_month`` use.
DAYS_PER_MONTH = Decimal(repr(_DAYS_PER_MONTH))

EVAL = "EFFFL == 'Y'"
SAF = "SAFFL == 'Y'"
TEAE34 = "TRTEMFL == 'Y' and 3 <= ATOXGRN <= 4 and SAFFL == 'Y'"

#: Decimals of every percentage given with a confidence interval, and of its limits: one
#: precision for all the abstract's intervals (counts' percentages have none).
CI_DIGITS = 1


@dataclass(frozen=True, slots=True)
class Abstract:
    """The results paragraph and where each of its numbers comes from.

    Attributes
    ----------
    text : str
        The paragraph.
    trace : list of dict
        One entry per number of ``text``, in order: ``text`` (as printed, e.g. ``"2%"``),
        ``value`` (unrounded: 0.0185 for 1/54), ``dataset`` (``"ADRS"``, ``"ADSL"``, ...;
        ``"protocol"`` or ``"design"`` for a number the study plan fixes; None for a
        convention such as the 95% level), ``filter`` (the records used, as a condition) and
        ``statistic`` (what was computed).
    met : bool or None
        Whether the design's decision rule was met; None when the data needed is missing.
    """

    text: str
    trace: list[dict[str, object]] = field(default_factory=list)
    met: bool | None = None


def _decimal(value: float | int | Fraction) -> Decimal | Fraction | int:
    # a float is read at its shortest repr (0.595, not 0.59499999999999997), as a reader sees it
    return Decimal(repr(float(value))) if isinstance(value, float) else value


def _percent(proportion: float | Fraction, digits: int = 0) -> str:
    return round_half_up(_decimal(proportion) * 100, digits)


def _months(days: float) -> str:
    return round_half_up(Decimal(repr(float(days))) / DAYS_PER_MONTH, 1)


class _Writer:
    """Collects the text and a trace entry for each number put in it."""

    def __init__(self) -> None:
        self.trace: list[dict[str, object]] = []

    def num(
        self,
        text: str,
        value: float | int | None,
        *,
        dataset: str | None,
        filter: str | None,
        statistic: str,
    ) -> str:
        assert NUMBER.fullmatch(text), text  # one number per entry, as a reader parses it
        self.trace.append(
            {"text": text, "value": value, "dataset": dataset, "filter": filter,
             "statistic": statistic}
        )  # fmt: skip
        return text

    def conf(self) -> str:
        return self.num("95%", 0.95, dataset=None, filter=None,
                        statistic="confidence level of the interval")  # fmt: skip


def _patients(n: int) -> str:
    return "patient" if n == 1 else "patients"


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _populations(w: _Writer, kf: KeyFigures) -> str:
    e = w.num(str(kf.enrolled), kf.enrolled, dataset="ADSL", filter="ENRLFL == 'Y'",
              statistic="patients enrolled")  # fmt: skip
    t = w.num(str(kf.treated), kf.treated, dataset="ADSL", filter=SAF,
              statistic="patients treated (safety population)")  # fmt: skip
    v = w.num(str(kf.evaluable), kf.evaluable, dataset="ADSL", filter=EVAL,
              statistic="patients evaluable for efficacy")  # fmt: skip
    return f"{e} patients were enrolled, {t} were treated and {v} were evaluable for efficacy."


def _response(w: _Writer, kf: KeyFigures) -> str:
    assert kf.orr is not None
    n = kf.evaluable
    cbor = f"PARAMCD == 'CBOR' and {EVAL}"
    rsp = f"{cbor} and AVALC in ('CR', 'PR')"
    rate = w.num(f"{_percent(Fraction(kf.responders, n), CI_DIGITS)}%", kf.orr.estimate,
                 dataset="ADRS", filter=rsp, statistic="confirmed CR+PR / evaluable")  # fmt: skip
    k = w.num(str(kf.responders), kf.responders, dataset="ADRS", filter=rsp,
              statistic="confirmed responders (CR+PR)")  # fmt: skip
    nn = w.num(str(n), n, dataset="ADSL", filter=EVAL, statistic="evaluable patients")
    level = w.conf()
    lo = w.num(_percent(kf.orr.lower, CI_DIGITS), kf.orr.lower, dataset="ADRS", filter=rsp,
               statistic="Clopper-Pearson exact lower limit")  # fmt: skip
    hi = w.num(f"{_percent(kf.orr.upper, CI_DIGITS)}%", kf.orr.upper, dataset="ADRS", filter=rsp,
               statistic="Clopper-Pearson exact upper limit")  # fmt: skip
    text = f"The confirmed objective response rate was {rate} ({k}/{nn}; {level} CI {lo}-{hi})"
    sd = dict(kf.best_response).get("SD", 0)
    if sd:
        c = w.num(str(sd), sd, dataset="ADRS", filter=f"{cbor} and AVALC == 'SD'",
                  statistic="patients with stable disease as confirmed best response")  # fmt: skip
        p = w.num(f"{_percent(Fraction(sd, n))}%", sd / n, dataset="ADRS",
                  filter=f"{cbor} and AVALC == 'SD'", statistic="SD / evaluable")  # fmt: skip
        text += f", and stable disease was the best response in {c} {_patients(sd)} ({p})"
    return text + "."


def _limit(w: _Writer, days: float | None, statistic: str) -> str:
    if days is None:
        return "NE"
    return w.num(_months(days), days / float(DAYS_PER_MONTH), dataset="ADTTE",
                 filter=f"PARAMCD == 'PFS' and {EVAL}", statistic=statistic)  # fmt: skip


def _pfs(w: _Writer, kf: KeyFigures) -> str:
    assert kf.pfs is not None
    flt = f"PARAMCD == 'PFS' and {EVAL}"
    parts = []
    if kf.landmark is not None:
        lm = kf.landmark
        shown = f"{lm.months:g}"  # 6, or 4.5 months as the protocol writes it
        month = w.num(shown, lm.months, dataset="protocol",
                      filter=f"endpoints[{lm.endpoint}].time_point_months",
                      statistic="landmark (months)")  # fmt: skip
        s, lo, hi = (float(lm.km.surv[0]), float(lm.km.lower[0]), float(lm.km.upper[0]))
        rate = w.num(f"{_percent(s, CI_DIGITS)}%", s, dataset="ADTTE", filter=flt,
                     statistic=f"Kaplan-Meier S({lm.months:g} months)")  # fmt: skip
        level = w.conf()
        a = w.num(_percent(lo, CI_DIGITS), lo, dataset="ADTTE", filter=flt,
                  statistic="lower limit (log transform, R survival default)")  # fmt: skip
        b = w.num(f"{_percent(hi, CI_DIGITS)}%", hi, dataset="ADTTE", filter=flt,
                  statistic="upper limit (log transform, R survival default)")  # fmt: skip
        parts.append(f"the Kaplan-Meier estimate of {month}-month progression-free survival "
                     f"was {rate} ({level} CI {a}-{b})")  # fmt: skip
    med = kf.pfs.median
    if med.time is None:
        parts.append("median progression-free survival was not reached")
    else:
        m = _limit(w, med.time, "Kaplan-Meier median (quantile.survfit rule), months")
        level = w.conf()
        a = _limit(w, med.lower, "lower limit of the median (Brookmeyer-Crowley), months")
        b = _limit(w, med.upper, "upper limit of the median (Brookmeyer-Crowley), months")
        parts.append(f"median progression-free survival was {m} months ({level} CI {a}-{b})")
    text = " and ".join(parts)
    return text[0].upper() + text[1:] + "."


def _exposure(w: _Writer, kf: KeyFigures) -> str:
    items = []
    for ex in kf.exposure:
        m = w.num(round_half_up(ex.median_duration_months, 1), ex.median_duration_months,
                  dataset="ADEX", filter=f"PARCAT1 == '{ex.agent}' and PARAMCD == 'DURM' and {SAF}",
                  statistic="median duration of treatment, months")  # fmt: skip
        items.append(f"{m} months for {ex.agent}")
    if len(items) == 1:
        return f"The median duration of treatment was {items[0]}."
    return f"Median durations of treatment were {_join(items)}."


def _toxicity(w: _Writer, kf: KeyFigures) -> str:
    n = kf.treated
    g3 = w.num("3", 3, dataset="ADAE", filter="ATOXGRN", statistic="lowest CTCAE grade counted")
    g4 = w.num("4", 4, dataset="ADAE", filter="ATOXGRN", statistic="highest CTCAE grade counted")
    k = w.num(str(kf.grade34_any), kf.grade34_any, dataset="ADAE", filter=TEAE34,
              statistic="patients with a grade 3-4 treatment-emergent AE")  # fmt: skip
    p = w.num(f"{_percent(Fraction(kf.grade34_any, n))}%", kf.grade34_any / n, dataset="ADAE",
              filter=TEAE34, statistic="patients / treated")  # fmt: skip
    text = f"Grade {g3}-{g4} adverse events occurred in {k} {_patients(kf.grade34_any)} ({p})"
    groups = []
    for g in kf.grade34_groups:
        if g.n:
            name = g.name.replace("_", " ")
            q = w.num(f"{_percent(Fraction(g.n, n))}%", g.n / n, dataset="ADAE",
                      filter=f"{TEAE34} and {g.column} == '{g.name}'",
                      statistic=f"patients with grade 3-4 {name} / treated")  # fmt: skip
            groups.append(f"{name} ({q})")
    if groups:
        text += f", including {_join(groups)}"
    return text + "."


def _deaths(w: _Writer, adsl: pl.DataFrame, protocol: Protocol) -> str:
    window = protocol.assessments.follow_up.end_of_treatment_visit_days
    on_study = adsl.filter(
        (pl.col("SAFFL") == "Y")
        & pl.col("DTHDT").is_not_null()
        & ((pl.col("DTHDT") - pl.col("TRTEDT")).dt.total_days() <= window)
    )
    flt = f"{SAF} and DTHDT <= TRTEDT + {window} days"
    days = w.num(str(window), window, dataset="protocol",
                 filter="assessments.follow_up.end_of_treatment_visit_days",
                 statistic="days after the last dose a death counts as on study")  # fmt: skip
    if on_study.height == 0:
        return f"No patient died on study (within {days} days of the last dose)."
    d = w.num(str(on_study.height), on_study.height, dataset="ADSL", filter=flt,
              statistic="deaths on study")  # fmt: skip
    text = f"On study (within {days} days of the last dose), {d} {_patients(on_study.height)} died"
    related = on_study.filter(pl.col("DTHRELFL") == "Y")
    if related.height:
        r = w.num(str(related.height), related.height, dataset="ADSL",
                  filter=f"{flt} and DTHRELFL == 'Y'",
                  statistic="treatment-related deaths on study")  # fmt: skip
        causes = (
            related.with_columns(pl.col("DTHCAUS").fill_null("unknown cause"))
            .group_by("DTHCAUS").len().sort(["len", "DTHCAUS"], descending=[True, False])
        )  # fmt: skip
        items = []
        for cause, count in causes.rows():
            c = w.num(str(count), count, dataset="ADSL",
                      filter=f"{flt} and DTHRELFL == 'Y' and DTHCAUS == '{cause}'",
                      statistic="treatment-related deaths on study from this cause")  # fmt: skip
            items.append(f"{str(cause).lower()} in {c}")
        were = "death was" if related.height == 1 else "deaths were"
        text += f"; {r} {were} treatment-related ({_join(items)})"
    return text + "."


@dataclass(frozen=True, slots=True)
class _Observed:
    """An endpoint's successes among the evaluable patients, and where they come from."""

    count: int
    dataset: str
    filter: str
    statistic: str
    landmark: bool
    verb: str = "responded"


#: Confirmed best responses that count as a success, by the endpoint's event, with the
#: trace's statistic and the sentence's verb.
_SUCCESS = {
    "objective response": (("CR", "PR"), "confirmed responders (CR+PR)", "responded"),
    "disease control": (
        ("CR", "PR", "SD", "NON-CR/NON-PD"),
        "patients with disease control (confirmed CR+PR, SD or NON-CR/NON-PD)",
        "had disease control",
    ),
}


def _observed(kf: KeyFigures, endpoint: ProtocolEndpoint) -> _Observed | None:
    """Successes of a design's endpoint: responders (CBOR in the endpoint's categories), or
    patients known to be progression-free beyond the landmark. None without the data."""
    if endpoint.type == "landmark_rate":
        lm = kf.landmark
        if lm is None or lm.endpoint != endpoint.name:
            return None
        at = lm.months * float(DAYS_PER_MONTH)
        return _Observed(lm.event_free, "ADTTE", f"PARAMCD == 'PFS' and {EVAL} and AVAL > {at:g}",
                         f"patients progression-free at {lm.months:g} months (binomial count)",
                         landmark=True)  # fmt: skip
    rule = _SUCCESS.get(endpoint.event or "objective response")
    if kf.orr is None or rule is None:
        return None
    cats, statistic, verb = rule
    counts = dict(kf.best_response)
    listed = ", ".join(f"'{c}'" for c in cats)
    return _Observed(sum(counts.get(c, 0) for c in cats), "ADRS",
                     f"PARAMCD == 'CBOR' and {EVAL} and AVALC in ({listed})", statistic,
                     landmark=False, verb=verb)  # fmt: skip


def _phrase(w: _Writer, kf: KeyFigures, obs: _Observed, r: int, spec: str, name: str) -> str:
    k = w.num(str(obs.count), obs.count, dataset=obs.dataset, filter=obs.filter,
              statistic=obs.statistic)  # fmt: skip
    n = kf.evaluable
    nn = w.num(str(n), n, dataset="ADSL", filter=EVAL, statistic="evaluable patients")
    what = f"patients {obs.verb}"
    if obs.landmark:
        assert kf.landmark is not None
        m = w.num(f"{kf.landmark.months:g}", kf.landmark.months, dataset="protocol",
                  filter=f"endpoints[{kf.landmark.endpoint}].time_point_months",
                  statistic="landmark (months)")  # fmt: skip
        p = w.num(f"{_percent(Fraction(obs.count, n))}%", obs.count / n if n else 0.0,
                  dataset=obs.dataset, filter=obs.filter,
                  statistic="patients progression-free at the landmark / evaluable")  # fmt: skip
        what = (f"were known to be progression-free at {m} months ({p}, the binomial count "
                "the decision uses")  # fmt: skip
    rr = w.num(str(r), r, dataset="design", filter=spec,
               statistic=f"critical value: {name} succeeds with more than r of n")  # fmt: skip
    if obs.landmark:
        return f"{k} of {nn} {what}; more than {rr} needed)"
    return f"{k} of {nn} {what} (more than {rr} needed)"


def _decision(w: _Writer, kf: KeyFigures, protocol: Protocol) -> tuple[str, bool | None]:
    """The sentence saying whether the design's decision rule was met, and the decision."""
    pd_ = design_for(protocol)
    if pd_.landmark_method != "binomial":
        raise InputError(
            "is not supported by the abstract's decision sentence", field="landmark_method",
            value=pd_.landmark_method,
            hint="the abstract judges a landmark endpoint as a binomial count; use "
            "landmark_method: binomial",
        )  # fmt: skip
    names = protocol.statistics.design.tested_endpoints
    observed = [_observed(kf, protocol.endpoint(name)) for name in names]
    n = kf.evaluable
    if n == 0 or any(o is None for o in observed):
        return "", None
    final = pd_.design.final_rule(n)
    phrases, success = [], []
    for name, test, obs in zip(names, final.tests, observed, strict=True):
        assert obs is not None
        success.append(obs.count > test.critical)
        phrases.append(_phrase(w, kf, obs, test.critical, test.describe(name), name))
    met = any(success) if final.combine == "either" else all(success)
    verb = "met" if met else "did not meet"
    if len(phrases) == 1:
        return f"The study {verb} its primary endpoint: {phrases[0]}.", met
    rule = "either endpoint" if final.combine == "either" else "both endpoints"
    return (f"The study {verb} its co-primary endpoints (success on {rule}): "
            f"{_join(phrases)}."), met  # fmt: skip


def _rules(w: _Writer, rules: DesignRules) -> list[str]:
    """Sentences on the stage-1 rule (with the estimate adjusted for the design) and on the
    toxicity stopping rule."""
    out: list[str] = []
    st = rules.stage_one
    if st is not None and st.met is not None:
        flt = f"{EVAL}, first n1 by TRTSDT"
        k = w.num(str(st.successes), st.successes, dataset="ADRS", filter=flt,
                  statistic="responders among the first n1 evaluable patients")  # fmt: skip
        n1 = w.num(str(st.n1), st.n1, dataset="design", filter="n1",
                   statistic="patients in stage 1")  # fmt: skip
        r1 = w.num(str(st.r1), st.r1, dataset="design", filter="r1",
                   statistic="stage 1 continues with more than r1 responders")  # fmt: skip
        verdict = "was met" if st.met else "was not met (stop for futility)"
        text = (f"The first-stage rule {verdict}: {k} of the first {n1} evaluable patients "
                f"responded (more than {r1} needed to continue)")  # fmt: skip
        inf = st.adjusted
        if inf is not None:
            est = w.num(f"{_percent(inf.umvue, CI_DIGITS)}%", inf.umvue, dataset="ADRS",
                        filter=flt, statistic="UMVUE after the two-stage design")  # fmt: skip
            level = w.conf()
            a = w.num(_percent(inf.ci_low, CI_DIGITS), inf.ci_low, dataset="ADRS", filter=flt,
                      statistic="Koyama-Chen lower limit (stage-wise ordering)")  # fmt: skip
            b = w.num(f"{_percent(inf.ci_high, CI_DIGITS)}%", inf.ci_high, dataset="ADRS",
                      filter=flt,
                      statistic="Koyama-Chen upper limit (stage-wise ordering)")  # fmt: skip
            text += (f"; adjusted for the two-stage design, the response rate was {est} "
                     f"({level} CI {a}-{b})")  # fmt: skip
        out.append(text + ".")
    tox = rules.toxicity
    if tox is not None:
        flt = "TRTEMFL == 'Y' and ATOXGRN >= 3 in the monitored term groups"
        k = w.num(str(tox.toxicities), tox.toxicities, dataset="ADAE", filter=flt,
                  statistic="patients with a monitored toxicity")  # fmt: skip
        m = w.num(str(tox.monitored), tox.monitored, dataset="ADSL", filter=SAF,
                  statistic="treated patients monitored (at most the boundary's n)")  # fmt: skip
        if tox.crossed_at is None:
            out.append(f"The toxicity stopping rule was not met: {k} of the first {m} treated "
                       "patients had a monitored toxicity.")  # fmt: skip
        else:
            at = w.num(str(tox.crossed_at), tox.crossed_at, dataset="ADSL", filter=SAF,
                       statistic="patient at which the toxicity boundary was reached")  # fmt: skip
            out.append(f"The toxicity stopping rule was met at patient {at}; {k} of the first "
                       f"{m} treated patients had a monitored toxicity.")  # fmt: skip
    return out


def abstract(adam: dict[str, pl.DataFrame], protocol: Protocol) -> Abstract:
    """Write the results paragraph of the abstract from a trial's ADaM.

    Parameters
    ----------
    adam : dict of str to DataFrame
        ``derive_adam``'s datasets (adsl required; adrs, adtte, adex and adae used when
        present, their sentences left out otherwise).
    protocol : Protocol
        The agents, the landmark endpoint, the reported AE term groups, the on-study window
        for deaths and the design whose decision rule the last sentence applies.

    Returns
    -------
    Abstract

    Notes
    -----
    1. Numbers come from :func:`oncotrial.adam.key_figures` (the same as ``oncotrial
       analyze``'s summary) and ADSL for deaths: response and PFS on the evaluable population
       (EFFFL), exposure, adverse events and deaths on the treated one (SAFFL).
    2. Percentages of counts are exact fractions rounded half up (1/54 = 1.85% -> "2%");
       estimates (Kaplan-Meier, Clopper-Pearson limits) are rounded half up from their
       shortest decimal form. A rate given with a confidence interval and the interval's
       limits show one decimal (ORR, the Kaplan-Meier landmark rate, the adjusted rate),
       other percentages none, months one. The landmark appears twice, told apart: the
       Kaplan-Meier estimate, and the binomial count of patients known progression-free at
       the landmark, which the design's decision uses.
    3. A death is on study when it falls within the protocol's end-of-treatment visit window
       (30 days in the seed protocol) of the last dose of any agent.
    4. The decision: for a co-primary design each endpoint succeeds with more than r_k of the
       evaluable patients (responders; patients progression-free beyond the landmark, a
       binomial count), r_k from :func:`oncotrial.design.design_for`, recomputed at the same
       levels by ``coprimary_design`` when the number evaluable differs from the design's n;
       the study meets its rule when either (or both, by the protocol's rule) succeed. For a
       Simon or single-stage design: more than r responders.
    5. For a Simon design, whether the stage-1 rule was met and the response rate adjusted
       for the design; with toxicity monitoring, whether its stopping rule was met
       (:func:`oncotrial.report._rules.design_rules`).

    Examples
    --------
    See ``tests/report/test_abstract.py``; the seed trial (NCT01010126, simulated with seed
    7) reads "59 patients were enrolled, 56 were treated and 56 were evaluable ...".
    """
    if "adsl" not in adam:
        raise InputError("is missing", field="adam['adsl']", hint="derive ADaM with derive_adam")
    kf = key_figures(adam, protocol=protocol)
    w = _Writer()
    sentences = [_populations(w, kf)]
    if kf.orr is not None:
        sentences.append(_response(w, kf))
    if kf.pfs is not None:
        sentences.append(_pfs(w, kf))
    if kf.exposure:
        sentences.append(_exposure(w, kf))
    if "adae" in adam and kf.treated:
        sentences.append(_toxicity(w, kf))
    if kf.treated:
        sentences.append(_deaths(w, adam["adsl"], protocol))
    decision, met = _decision(w, kf, protocol)
    if decision:
        sentences.append(decision)
    sentences += _rules(w, design_rules(adam, protocol))
    return Abstract(" ".join(sentences), w.trace, met)


def write_abstract(a: Abstract, out_dir: Path) -> tuple[Path, Path]:
    """Write ``abstract.md`` (the paragraph) and ``abstract.json`` (text, decision, trace).

    The JSON has sorted keys, two-space indentation and a final newline; both files are
    written atomically. Returns their paths (Markdown first).

    Raises
    ------
    InputError
        ``out_dir`` goes through an existing file.
    """
    out = prepare_dir(Path(out_dir), field="out_dir")
    md = write_atomic(out / "abstract.md", f"# Abstract\n\n**Results.** {a.text}\n",
                      field="out_dir")  # fmt: skip
    payload = {"text": a.text, "met": a.met, "trace": a.trace}
    js = write_atomic(out / "abstract.json",
                      json.dumps(payload, sort_keys=True, indent=2, ensure_ascii=False) + "\n",
                      field="out_dir")  # fmt: skip
    return md, js
