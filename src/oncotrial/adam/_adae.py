"""ADAE: analysis dates, treatment emergence, grades, term groups, attribution per agent.

Mirrors admiral's ADAE template (``inst/templates/ad_adae.R``): dates imputed as there, the
treatment-emergent flag of ``derive_var_trtemfl`` and the first-occurrence-of-worst flag
AOCCIFL; adds what an oncology combination trial needs: the CTCAE grade checked against the
grades its term allows, the protocol's term groups (CQxxNAM, as admiral's
``derive_vars_query``) and relationship to each agent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from oncotrial.adam._common import RELATED, SUBJECT_KEYS, require_columns
from oncotrial.adam._populations import agent_prefix
from oncotrial.errors import InputError
from oncotrial.protocol import Protocol
from oncotrial.sdtm import ae_relationship_variable
from oncotrial.sdtm.dates import dt_and_flag
from oncotrial.terminology import TermGroup, define_term_groups, grade_problems, term_groups

__all__ = ["RELATED", "derive_adae"]

_SEVERITY = {"MILD": 1, "MODERATE": 2, "SEVERE": 3, "LIFE THREATENING": 4, "DEATH THREATENING": 4,
             "FATAL": 5}  # fmt: skip


def reported_groups(protocol: Protocol | None) -> list[TermGroup]:
    """The term groups ADAE flags (CQxxNAM, in this order): the protocol's reported groups,
    or all its own groups when it names none."""
    if protocol is None:
        return []
    custom = define_term_groups(protocol.term_groups) if protocol.term_groups else {}
    bundled = term_groups()
    names = list(protocol.reported_term_groups) or list(custom)
    out = []
    for name in names:
        group = custom.get(name) or bundled.get(name)
        if group is None:
            raise InputError(
                "is not a term group of the protocol nor a bundled one",
                field="reported_term_groups", value=name,
                hint=f"bundled groups: {', '.join(sorted(bundled))}; or define it in "
                "term_groups",
            )  # fmt: skip
        out.append(group)
    return out


def derive_adae(
    dataset_ae: pl.DataFrame,
    *,
    dataset_adsl: pl.DataFrame,
    protocol: Protocol | None = None,
    end_window_days: int | None = None,
    relationship: Mapping[str, str] | None = None,
    check_grades: bool = True,
    by_vars: Sequence[str] = SUBJECT_KEYS,
    file: str | None = None,
) -> pl.DataFrame:
    """ADAE from SDTM AE and ADSL.

    Parameters
    ----------
    dataset_ae : DataFrame
        SDTM AE: `by_vars`, AESEQ, AEDECOD, AESTDTC, AEENDTC; AETOXGR (CTCAE grade) or AESEV;
        optionally AESER, AEOUT, AEREL and one relationship column per agent.
    dataset_adsl : DataFrame
        ADSL with TRTSDT, TRTEDT, DTHDT and (optionally) EOSDT.
    protocol : Protocol, optional
        Gives the term groups (``reported_term_groups``, ``term_groups``), the agents whose
        relationship is flagged and, unless `end_window_days` is given, the treatment-emergent
        window (``assessments.follow_up.end_of_treatment_visit_days``).
    end_window_days : int, optional
        An AE starting up to this many days after the last dose is still treatment-emergent
        (admiral's ``end_window``); default 30, or the protocol's end-of-treatment visit.
    relationship : mapping of agent name to column, optional
        Where each agent's relationship is: default
        :func:`oncotrial.sdtm.ae_relationship_variable` (``AEREL`` + the first three letters
        of the agent, ``AERELBEV`` for bevacizumab: SUPPAE's QNAM merged into AE, 8 characters
        as SDTM names must be) when present, else AEREL for every agent.
    check_grades : bool, default True
        Refuse an AETOXGR its CTCAE term does not allow (e.g. Fatigue grade 4), naming the row.
    file : str, optional
        Name of the AE file, for error messages.

    Notes
    -----
    1. ASTDT (ASTDTF): AESTDTC with a missing day or month imputed to the first, but not before
       TRTSDT when in the same month/year (admiral: ``highest_imputation = "M"``,
       ``min_dates = TRTSDT``). AENDT (AENDTF): AEENDTC imputed to the last, not after DTHDT or
       EOSDT.
    2. ASTDY, AENDY: days from TRTSDT, day 1 the first dose (no day 0).
    3. TRTEMFL = "Y" when TRTSDT <= ASTDT <= TRTEDT + `end_window_days`.
    4. ATOXGRN: AETOXGR as a number (else AESEV mapped MILD 1, MODERATE 2, SEVERE 3, ...).
    5. AOCCIFL = "Y" on the first (by ASTDT, AESEQ) of a subject's worst-grade
       treatment-emergent AEs (admiral's template).
    6. AOCCPFL = "Y" on the first of the worst-grade treatment-emergent records of each subject
       and term (AEDECOD), for "worst grade per term" tables.
    7. CQxxNAM: the name of the xx-th term group when AEDECOD is one of its terms.
    8. AGxxREL = "Y" when the AE is related to agent xx (``RELATED`` values).
    9. AESERFL, AEFATFL: serious (AESER "Y"), fatal (AEOUT "FATAL" or grade 5).
    """
    keys = list(by_vars)
    name = file or "dataset_ae"
    require_columns(dataset_ae, [*keys, "AESEQ", "AEDECOD", "AESTDTC", "AEENDTC"],
                    frame_name=name)  # fmt: skip
    require_columns(dataset_adsl, [*keys, "TRTSDT", "TRTEDT", "DTHDT"], frame_name="dataset_adsl")
    has_grade = "AETOXGR" in dataset_ae.columns
    if not has_grade and "AESEV" not in dataset_ae.columns:
        raise InputError(
            f"has neither AETOXGR nor AESEV in {name}", field="AETOXGR",
            hint="give the CTCAE grade in AETOXGR (or the severity in AESEV)",
        )  # fmt: skip
    if has_grade and check_grades:
        problems = grade_problems(dataset_ae, term="AEDECOD", grade="AETOXGR")
        if problems.height:
            first = problems.row(0, named=True)
            raise InputError(
                f"{first['problem']} ({problems.height} such record(s) in all; this is record "
                f"{first['row']})",
                file=file, field=first["field"], value=first["value"], hint=first["hint"],
            )  # fmt: skip
    window = end_window_days
    if window is None:
        window = protocol.assessments.follow_up.end_of_treatment_visit_days if protocol else 30

    adsl_cols = [c for c in ("TRTSDT", "TRTEDT", "DTHDT", "EOSDT") if c in dataset_adsl.columns]
    ae = dataset_ae.join(dataset_adsl.select(*keys, *adsl_cols), on=keys, how="left")
    max_dates = [c for c in ("DTHDT", "EOSDT") if c in adsl_cols]
    astdt, astdtf = dt_and_flag(ae, "AESTDTC", highest_imputation="M", date_imputation="first",
                                min_dates=["TRTSDT"])  # fmt: skip
    aendt, aendtf = dt_and_flag(ae, "AEENDTC", highest_imputation="M", date_imputation="last",
                                max_dates=max_dates)  # fmt: skip
    ae = ae.with_columns(ASTDT=astdt, ASTDTF=astdtf, AENDT=aendt, AENDTF=aendtf)

    def study_day(col: str) -> pl.Expr:
        days = (pl.col(col) - pl.col("TRTSDT")).dt.total_days()
        return pl.when(days >= 0).then(days + 1).otherwise(days)

    grade = (
        pl.col("AETOXGR").cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False)
        if has_grade
        else pl.col("AESEV").str.to_uppercase().replace_strict(_SEVERITY, default=None,
                                                               return_dtype=pl.Int64)
    )  # fmt: skip
    emergent = (pl.col("ASTDT") >= pl.col("TRTSDT")) & (
        pl.col("ASTDT") <= pl.col("TRTEDT") + pl.duration(days=window)
    )
    ae = ae.with_columns(
        ASTDY=study_day("ASTDT"),
        AENDY=study_day("AENDT"),
        TRTEMFL=pl.when(emergent.fill_null(False)).then(pl.lit("Y")),
        ATOXGRN=grade,
    )
    ae = _first_worst(ae, [*keys], "AOCCIFL")
    ae = _first_worst(ae, [*keys, "AEDECOD"], "AOCCPFL")
    for i, group in enumerate(reported_groups(protocol)):
        terms = [t.lower() for t in group.terms]
        ae = ae.with_columns(
            pl.when(pl.col("AEDECOD").str.strip_chars().str.to_lowercase().is_in(terms))
            .then(pl.lit(group.name))
            .alias(f"CQ{i + 1:02d}NAM")
        )
    if protocol is not None:
        for i, agent in enumerate(protocol.regimen.agents):
            col = (relationship or {}).get(agent.name) or ae_relationship_variable(agent.name)
            if col not in ae.columns:
                col = "AEREL"
            if col not in ae.columns:
                continue
            related = pl.col(col).str.to_uppercase().str.strip_chars().is_in(list(RELATED))
            ae = ae.with_columns(
                pl.when(related).then(pl.lit("Y")).otherwise(pl.lit("N"))
                .alias(f"{agent_prefix(i)}REL")
            )  # fmt: skip
    extras = []
    if "AESER" in ae.columns:
        extras.append(pl.when(pl.col("AESER") == "Y").then(pl.lit("Y")).alias("AESERFL"))
    fatal = pl.col("ATOXGRN") == 5
    if "AEOUT" in ae.columns:
        fatal = fatal | (pl.col("AEOUT") == "FATAL")
    extras.append(pl.when(fatal.fill_null(False)).then(pl.lit("Y")).alias("AEFATFL"))
    return ae.with_columns(extras).sort([*keys, "ASTDT", "AESEQ"], nulls_last=True)


def _first_worst(ae: pl.DataFrame, by: list[str], flag: str) -> pl.DataFrame:
    """Flag the first (ASTDT, AESEQ) of the worst-grade treatment-emergent records of `by`."""
    ranked = (
        ae.with_row_index("_ROW")
        .filter(pl.col("TRTEMFL") == "Y")
        .sort(
            [*by, "ATOXGRN", "ASTDT", "AESEQ"],
            descending=[*[False] * len(by), True, False, False],
            nulls_last=True,
        )
        .unique(subset=by, keep="first", maintain_order=True)
        .select("_ROW", pl.lit("Y").alias(flag))
    )
    return ae.with_row_index("_ROW").join(ranked, on="_ROW", how="left").drop("_ROW")
