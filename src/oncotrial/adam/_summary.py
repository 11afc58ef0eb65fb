"""A one-screen summary of a trial's ADaM: populations, response, PFS, exposure, toxicity.

:func:`summarise_adam` gives the figures as text for a reader; :func:`trial_figures` gives the
same figures as numbers (for Monte Carlo and calibration), from the same helpers.
"""

from __future__ import annotations

import math

import polars as pl

from oncotrial.adam._adae import reported_groups
from oncotrial.adam._adex import DAYS_PER_MONTH
from oncotrial.protocol import Protocol
from oncotrial.stats import KaplanMeier, clopper_pearson, kaplan_meier

__all__ = ["summarise_adam"]


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.1f}%)" if n else f"{k}/0"


def _months(days: float | None) -> str:
    if days is None or (isinstance(days, float) and math.isnan(days)):
        return "NR"
    return f"{days / DAYS_PER_MONTH:.1f}"


# -- the pieces both summaries are built from ----------------------------------------------------


def _populations(adam: dict[str, pl.DataFrame]) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    """Enrolled count, treated (SAFFL) and evaluable (EFFFL) subjects of ADSL."""
    adsl = adam["adsl"]
    enrolled = adsl.filter(pl.col("ENRLFL") == "Y").height
    return enrolled, adsl.filter(pl.col("SAFFL") == "Y"), adsl.filter(pl.col("EFFFL") == "Y")


def _cbor_counts(adam: dict[str, pl.DataFrame], ids: pl.DataFrame) -> dict[str, int]:
    """Confirmed best overall response (CBOR) category -> subjects, among `ids`."""
    cbor = adam["adrs"].filter(pl.col("PARAMCD") == "CBOR").join(ids, on="USUBJID")
    return {str(k): int(v) for k, v in cbor.group_by("AVALC").len().rows()}


def _pfs(adam: dict[str, pl.DataFrame], ids: pl.DataFrame) -> tuple[pl.DataFrame, KaplanMeier]:
    """ADTTE PFS records of `ids` and their Kaplan-Meier fit (AVAL in days)."""
    pfs = adam["adtte"].filter(pl.col("PARAMCD") == "PFS").join(ids, on="USUBJID")
    return pfs, kaplan_meier(pfs["AVAL"].to_numpy(), (1 - pfs["CNSR"]).to_numpy())


def _landmark_days(protocol: Protocol) -> tuple[str, float] | None:
    """The protocol's landmark PFS endpoint: its label and time in days."""
    landmark = next((e for e in protocol.endpoints if e.type == "landmark_rate"), None)
    if landmark is None or landmark.time_point_months is None:
        return None
    return landmark.label, landmark.time_point_months * DAYS_PER_MONTH


def _exposure(adex: pl.DataFrame, agent: str, paramcd: str) -> pl.Series:
    return adex.filter((pl.col("PARCAT1") == agent) & (pl.col("PARAMCD") == paramcd))["AVAL"]


def _severe(
    adam: dict[str, pl.DataFrame], treated: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Treatment-emergent AEs of the treated, and those of grade 3-4."""
    teae = (
        adam["adae"].filter(pl.col("TRTEMFL") == "Y").join(treated.select("USUBJID"), on="USUBJID")
    )
    return teae, teae.filter(pl.col("ATOXGRN").is_between(3, 4))


def _group_subjects(severe: pl.DataFrame, i: int) -> int:
    """Subjects with a grade 3-4 AE in the protocol's i-th reported term group (CQxxNAM)."""
    col = f"CQ{i + 1:02d}NAM"
    grp = severe.filter(pl.col(col).is_not_null()) if col in severe.columns else severe[:0]
    return grp["USUBJID"].n_unique()


# -- the summaries -------------------------------------------------------------------------------


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
    adsl = adam["adsl"]
    rows: list[tuple[str, str, str]] = []
    enrolled, treated, evaluable = _populations(adam)
    rows += [
        ("Populations", "enrolled", str(enrolled)),
        ("Populations", "treated (safety)", str(treated.height)),
        ("Populations", "evaluable (efficacy)", str(evaluable.height)),
    ]
    reasons = adsl.filter(pl.col("EFFRSN").is_not_null() & (pl.col("ENRLFL") == "Y"))
    for reason, n in reasons.group_by("EFFRSN").len().sort("EFFRSN").rows():
        rows.append(("Populations", f"not evaluable: {reason}", str(n)))
    ids = evaluable.select("USUBJID")
    n_eval = evaluable.height
    if "adrs" in adam and n_eval:
        counts = _cbor_counts(adam, ids)
        for cat in ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING"):
            if counts.get(cat):
                rows.append(("Response", f"best overall response {cat}", _pct(counts[cat], n_eval)))
        k = counts.get("CR", 0) + counts.get("PR", 0)
        ci = clopper_pearson(k, n_eval)
        ci_text = f"95% CI {100 * ci.lower:.1f}-{100 * ci.upper:.1f}%"
        rows.append(("Response", "objective response rate (confirmed)",
                     f"{_pct(k, n_eval)}; {ci_text}"))  # fmt: skip
    if "adtte" in adam and n_eval:
        pfs, km = _pfs(adam, ids)
        if pfs.height:
            med = km.median
            rows.append(("PFS", "events / patients",
                         f"{int((pfs['CNSR'] == 0).sum())}/{pfs.height}"))  # fmt: skip
            limits = f"{_months(med.lower)}-{_months(med.upper)}"
            rows.append(("PFS", "median, months (95% CI)", f"{_months(med.time)} ({limits})"))
            landmark = _landmark_days(protocol)
            if landmark is not None:
                label, at = landmark
                lm = km.survival_at([at])
                rows.append(("PFS", f"{label} (KM, 95% CI)",
                             f"{100 * lm.surv[0]:.1f}% ({100 * lm.lower[0]:.1f}-"
                             f"{100 * lm.upper[0]:.1f}%)"))  # fmt: skip
    if "adex" in adam and treated.height:
        adex = adam["adex"].join(treated.select("USUBJID"), on="USUBJID")
        for agent in protocol.regimen.agents:
            dur = _exposure(adex, agent.name, "DURM")
            rdi = _exposure(adex, agent.name, "RDI").drop_nulls()
            if dur.len():
                med_dur = float(dur.median())  # type: ignore[arg-type]
                rows.append(("Exposure", f"{agent.name}: median duration, months",
                             f"{med_dur:.1f} (n={dur.len()})"))  # fmt: skip
                if rdi.len():  # none for a placebo
                    med_rdi = float(rdi.median())  # type: ignore[arg-type]
                    rows.append(("Exposure", f"{agent.name}: median relative dose intensity",
                                 f"{med_rdi:.0f}%"))  # fmt: skip
    if "adae" in adam and treated.height:
        teae, severe = _severe(adam, treated)
        rows.append(("Adverse events", "grade 3-4, any",
                     _pct(severe["USUBJID"].n_unique(), treated.height)))  # fmt: skip
        # CQxxNAM follow the protocol's reported term groups, in order (see derive_adae)
        for i, group in enumerate(reported_groups(protocol)):
            rows.append(("Adverse events", f"grade 3-4 {group.name}",
                         _pct(_group_subjects(severe, i), treated.height)))  # fmt: skip
        fatal = teae.filter(pl.col("AEFATFL") == "Y")
        rows.append(("Adverse events", "fatal", _pct(fatal["USUBJID"].n_unique(), treated.height)))
    return pl.DataFrame(rows, schema=["section", "item", "value"], orient="row")
