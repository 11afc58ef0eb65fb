"""The protocol choices RECIST 1.1 leaves open, and how oncotrial reads TU/TR."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from oncotrial.errors import InputError

__all__ = ["SUBJECT_KEYS", "RecistOptions"]

SUBJECT_KEYS: tuple[str, ...] = ("STUDYID", "USUBJID")
#: the choices of ``RecistOptions.sd_rule``: admiralonco's (default) and the RECIST paper's
SD_RULES: tuple[str, ...] = ("admiralonco", "recist_table3")


@dataclass(frozen=True, slots=True)
class RecistOptions:
    """Settings of the RECIST 1.1 engine; the defaults follow RECIST 1.1 and admiralonco.

    Parameters
    ----------
    confirmation_days : int, default 28
        A CR or PR is confirmed by a later assessment at least this many days after it
        (RECIST 1.1: "no less than 4 weeks"; admiralonco ``ref_confirm``).
    min_sd_days : int, default 42
        SD (and NON-CR/NON-PD) counts for best overall response only at an assessment at least
        this many days after treatment start (RECIST 1.1: protocol-defined, "in general not
        less than 6-8 weeks"; admiralonco ``ref_start_window``).
    max_ne_between : int, default 1
        At most this many NE assessments between a response and its confirmation
        (admiralonco ``max_nr_ne``).
    accept_sd_between : bool, default False
        Whether an SD between a PR and its confirmation is allowed (admiralonco ``accept_sd``).
    sd_rule : {'admiralonco', 'recist_table3'}, default 'admiralonco'
        Confirmed best response when an unconfirmed CR or PR is followed by SD before the
        minimum SD duration. ``'admiralonco'`` (pharmaverse-compatible, the default): that SD
        does not count, so the best response is NE unless something else qualifies.
        ``'recist_table3'``: the RECIST 1.1 paper's Table 3, where CR then SD gives PD (the
        disease reappeared after a CR) and PR then SD gives SD.
    evaluator : {'INVESTIGATOR', 'INDEPENDENT ASSESSOR'}, default 'INVESTIGATOR'
        Which TUEVAL/TREVAL records to use (when those columns exist); also written to RSEVAL.
        For an independent assessor, only accepted records (TUACPTFL/TRACPTFL = "Y") are used
        when the flag column exists.
    diameter_testcd : str, default "LDIAM"
        TRTESTCD of a non-nodal lesion's longest diameter.
    node_testcd : str, default "LPERP"
        TRTESTCD of a lymph node's short axis. SDTMIG records it as the longest perpendicular
        (LPERP), as pharmaversesdtm's RECIST TR data do.
    state_testcd : str, default "TUMSTATE"
        TRTESTCD of the qualitative state of non-target and new lesions.
    node_location : str, default "LYMPH NODE"
        TULOC value (case-insensitive) that marks a lesion as a lymph node.
    too_small_mm : float, default 5.0
        Diameter used for a target lesion recorded as TRSTRESC "TOO SMALL TO MEASURE" with no
        TRSTRESN (RECIST 1.1 section 4.3.2 / appendix: default 5 mm).
    by_vars : tuple of str, default ("STUDYID", "USUBJID")
        Subject keys.

    Examples
    --------
    >>> RecistOptions(min_sd_days=35).confirmation_days
    28
    >>> RecistOptions(confirmation_days=-1)
    Traceback (most recent call last):
    ...
    oncotrial.errors.InputError: confirmation_days: -1 must be an integer >= 0
    hint: RECIST 1.1 confirms at >= 28 days; set the protocol's interval
    """

    confirmation_days: int = 28
    min_sd_days: int = 42
    max_ne_between: int = 1
    accept_sd_between: bool = False
    sd_rule: Literal["admiralonco", "recist_table3"] = "admiralonco"
    evaluator: Literal["INVESTIGATOR", "INDEPENDENT ASSESSOR"] = "INVESTIGATOR"
    diameter_testcd: str = "LDIAM"
    node_testcd: str = "LPERP"
    state_testcd: str = "TUMSTATE"
    node_location: str = "LYMPH NODE"
    too_small_mm: float = 5.0
    by_vars: tuple[str, ...] = SUBJECT_KEYS

    def __post_init__(self) -> None:
        hints = {
            "confirmation_days": "RECIST 1.1 confirms at >= 28 days; set the protocol's interval",
            "min_sd_days": "the protocol's minimum SD duration, e.g. 42 days",
            "max_ne_between": "admiralonco's default is 1",
        }
        for name, hint in hints.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError("must be an integer >= 0", field=name, value=value, hint=hint)
        if self.sd_rule not in SD_RULES:
            raise InputError(
                "is not a rule for SD after an unconfirmed response",
                field="sd_rule",
                value=self.sd_rule,
                hint="use " + " or ".join(repr(r) for r in SD_RULES),
            )
        if self.evaluator not in ("INVESTIGATOR", "INDEPENDENT ASSESSOR"):
            raise InputError(
                "is not an evaluator",
                field="evaluator",
                value=self.evaluator,
                hint="use 'INVESTIGATOR' or 'INDEPENDENT ASSESSOR'",
            )
        if not self.too_small_mm > 0:
            raise InputError(
                "must be > 0", field="too_small_mm", value=self.too_small_mm, hint="RECIST: 5 mm"
            )
        if isinstance(self.by_vars, str) or len(self.by_vars) == 0:
            raise InputError(
                "must be a non-empty tuple of column names",
                field="by_vars",
                value=self.by_vars,
                hint='e.g. ("STUDYID", "USUBJID")',
            )
        object.__setattr__(self, "by_vars", tuple(self.by_vars))  # a list would be unhashable
        for f in fields(self):
            if f.type == "str" and not getattr(self, f.name):
                raise InputError("must not be empty", field=f.name, value=getattr(self, f.name))
