"""A one-screen summary of a trial's ADaM: populations, response, PFS, exposure, toxicity,
as text: :func:`oncotrial.adam.key_figures` formatted for a reader."""

from __future__ import annotations

import math

import polars as pl

from oncotrial.adam._adex import DAYS_PER_MONTH
from oncotrial.adam._keyfigures import key_figures
from oncotrial.protocol import Protocol

__all__ = ["summarise_adam"]


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.1f}%)" if n else f"{k}/0"


#: a median or CI limit that cannot be estimated: "NE", as the report's tables print it
#: (oncotrial.report.format.NOT_ESTIMABLE; the report sits above adam and cannot be imported)
NOT_ESTIMABLE = "NE"


def _months(days: float | None) -> str:
    if days is None or (isinstance(days, float) and math.isnan(days)):
        return NOT_ESTIMABLE
    return f"{days / DAYS_PER_MONTH:.1f}"


def summarise_adam(adam: dict[str, pl.DataFrame], *, protocol: Protocol) -> pl.DataFrame:
    """Key figures of the trial as rows of (section, item, value), for a quick look.

    Response and PFS are on the evaluable population (EFFFL), exposure and adverse events on
    the treated population (SAFFL). ORR counts confirmed CR and PR (CBOR) with its exact
    (Clopper-Pearson) 95% CI; PFS is Kaplan-Meier with R survival's default log interval; the
    landmark is the protocol's landmark PFS endpoint (6 months in the seed protocol) at
    30.4375 days a month. :func:`trial_figures` gives the same figures as numbers.

    Examples
    --------
    See ``oncotrial analyze``, which prints this table.
    """
    kf = key_figures(adam, protocol=protocol)
    rows: list[tuple[str, str, str]] = [
        ("Populations", "enrolled", str(kf.enrolled)),
        ("Populations", "treated (safety)", str(kf.treated)),
        ("Populations", "evaluable (efficacy)", str(kf.evaluable)),
    ]
    rows += [("Populations", f"not evaluable: {reason}", str(n)) for reason, n in kf.not_evaluable]
    n_eval = kf.evaluable
    if kf.orr is not None:
        rows += [("Response", f"best overall response {cat}", _pct(n, n_eval))
                 for cat, n in kf.best_response]  # fmt: skip
        ci_text = f"95% CI {100 * kf.orr.lower:.1f}-{100 * kf.orr.upper:.1f}%"
        rows.append(("Response", "objective response rate (confirmed)",
                     f"{_pct(kf.responders, n_eval)}; {ci_text}"))  # fmt: skip
    if kf.pfs is not None:
        med = kf.pfs.median
        rows.append(("PFS", "events / patients", f"{kf.pfs_events}/{kf.pfs.n}"))
        limits = f"{_months(med.lower)}-{_months(med.upper)}"
        rows.append(("PFS", "median, months (95% CI)", f"{_months(med.time)} ({limits})"))
        if kf.landmark is not None:
            lm = kf.landmark.km
            rows.append(("PFS", f"{kf.landmark.label} (KM, 95% CI)",
                         f"{100 * lm.surv[0]:.1f}% ({100 * lm.lower[0]:.1f}-"
                         f"{100 * lm.upper[0]:.1f}%)"))  # fmt: skip
    for ex in kf.exposure:
        rows.append(("Exposure", f"{ex.agent}: median duration, months",
                     f"{ex.median_duration_months:.1f} (n={ex.n})"))  # fmt: skip
        if ex.median_rdi is not None:  # none for a placebo
            rows.append(("Exposure", f"{ex.agent}: median relative dose intensity",
                         f"{ex.median_rdi:.0f}%"))  # fmt: skip
    if "adae" in adam and kf.treated:
        rows.append(("Adverse events", "grade 3-4, any", _pct(kf.grade34_any, kf.treated)))
        rows += [("Adverse events", f"grade 3-4 {g.name}", _pct(g.n, kf.treated))
                 for g in kf.grade34_groups]  # fmt: skip
        rows.append(("Adverse events", "fatal", _pct(kf.fatal, kf.treated)))
    return pl.DataFrame(rows, schema=["section", "item", "value"], orient="row")
