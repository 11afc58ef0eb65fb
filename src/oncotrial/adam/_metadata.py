"""ADaM variables: labels (ADaM IG 1.3, ADaM OCCDS and BDS, admiral's names) and types.

Every variable oncotrial derives has a label and a type here, either by name or by a pattern
(``AG01SDT``, ``CQ02NAM``); variables carried over from SDTM (``AETERM``, ``RSTESTCD``) take the
label and type of the SDTMIG spec. Types are those of the frames :func:`derive_adam` returns:
``Char`` text, ``Num`` Float64, ``Int`` Int64, ``Date`` dates (``*DT``), ``Datetime`` datetimes
(``*DTM``). Labels are at most 40 characters (SAS XPT v5).

Examples
--------
>>> adam_variable("ADT")
AdamVariable(name='ADT', label='Analysis Date', type='Date')
>>> adam_variable("AG02SDT").label
'Date of First Exposure to Agent 02'
>>> adam_variable("AETERM")  # from SDTMIG AE
AdamVariable(name='AETERM', label='Reported Term for the Adverse Event', type='Char')
>>> adam_variable("XYZDT")  # by the ADaM naming rule: *DT is a date, no label
AdamVariable(name='XYZDT', label=None, type='Date')
>>> adam_variable("XYZ")
AdamVariable(name='XYZ', label=None, type=None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import polars as pl

from oncotrial.sdtm import SPECS

__all__ = ["DATASET_KEYS", "DATASET_LABELS", "AdamType", "AdamVariable", "adam_variable"]

AdamType = Literal["Char", "Num", "Int", "Date", "Datetime"]

#: Polars type of each ADaM type.
POLARS_TYPES: dict[str, pl.DataType] = {
    "Char": pl.String(),
    "Num": pl.Float64(),
    "Int": pl.Int64(),
    "Date": pl.Date(),
    "Datetime": pl.Datetime("us"),
}

#: Dataset labels (ADaM IG class names).
DATASET_LABELS: dict[str, str] = {
    "adsl": "Subject-Level Analysis Dataset",
    "adex": "Exposure Analysis Dataset",
    "adae": "Adverse Events Analysis Dataset",
    "adrs": "Response Analysis Dataset",
    "adtte": "Time-to-Event Analysis Dataset",
    "adtr": "Tumor Results Analysis Dataset",
}

#: Keys of the datasets whose records they identify (Dataset-JSON keySequence).
DATASET_KEYS: dict[str, tuple[str, ...]] = {
    "adsl": ("STUDYID", "USUBJID"),
    "adtte": ("STUDYID", "USUBJID", "PARAMCD"),
    "adrs": ("STUDYID", "USUBJID", "ASEQ"),
}


@dataclass(frozen=True, slots=True)
class AdamVariable:
    """An ADaM variable: name, label and type (None when not known)."""

    name: str
    label: str | None
    type: AdamType | None


_VARIABLES: dict[str, tuple[str, AdamType]] = {
    # identifiers and demographics (ADSL)
    "STUDYID": ("Study Identifier", "Char"),
    "USUBJID": ("Unique Subject Identifier", "Char"),
    "SUBJID": ("Subject Identifier for the Study", "Char"),
    "SITEID": ("Study Site Identifier", "Char"),
    "AGE": ("Age", "Num"),
    "AGEU": ("Age Units", "Char"),
    "SEX": ("Sex", "Char"),
    "RACE": ("Race", "Char"),
    "ETHNIC": ("Ethnicity", "Char"),
    "COUNTRY": ("Country", "Char"),
    "ARM": ("Description of Planned Arm", "Char"),
    "ARMCD": ("Planned Arm Code", "Char"),
    "ACTARM": ("Description of Actual Arm", "Char"),
    "ACTARMCD": ("Actual Arm Code", "Char"),
    "RFICDTC": ("Date/Time of Informed Consent", "Char"),
    "DTHDTC": ("Date/Time of Death", "Char"),
    "DTHFL": ("Subject Death Flag", "Char"),
    "WEIGHTBL": ("Baseline Weight (kg)", "Num"),
    "HEIGHTBL": ("Baseline Height (cm)", "Num"),
    # treatment, disposition, death (ADSL)
    "RANDDT": ("Date of Randomization", "Date"),
    "TRTSDT": ("Date of First Exposure to Treatment", "Date"),
    "TRTEDT": ("Date of Last Exposure to Treatment", "Date"),
    "EOTSTT": ("End of Treatment Status", "Char"),
    "EOSSTT": ("End of Study Status", "Char"),
    "EOSDT": ("End of Study Date", "Date"),
    "DCSREAS": ("Reason for Discontinuation from Study", "Char"),
    "DTHDT": ("Date of Death", "Date"),
    "DTHDTF": ("Date of Death Imputation Flag", "Char"),
    "DTHCAUS": ("Cause of Death", "Char"),
    "DTHDOM": ("Domain for Date of Death Collection", "Char"),
    "DTHRELFL": ("Death Related to Treatment Flag", "Char"),
    "LSTALVDT": ("Date Last Known Alive", "Date"),
    # populations (ADSL)
    "ENRLFL": ("Enrolled Population Flag", "Char"),
    "SAFFL": ("Safety Population Flag", "Char"),
    "EFFFL": ("Efficacy Population Flag", "Char"),
    "EFFRSN": ("Reason Not in Efficacy Population", "Char"),
    # parameters and values (BDS: ADEX, ADRS, ADTTE, ADTR)
    "PARAMCD": ("Parameter Code", "Char"),
    "PARAM": ("Parameter", "Char"),
    "PARCAT1": ("Parameter Category 1", "Char"),
    "PARCAT2": ("Parameter Category 2", "Char"),
    "PARCAT3": ("Parameter Category 3", "Char"),
    "AVAL": ("Analysis Value", "Num"),
    "AVALC": ("Analysis Value (C)", "Char"),
    "AVALU": ("Analysis Value Unit", "Char"),
    "ADT": ("Analysis Date", "Date"),
    "ADTF": ("Analysis Date Imputation Flag", "Char"),
    "ADTM": ("Analysis Datetime", "Datetime"),
    "AVISIT": ("Analysis Visit", "Char"),
    "AVISITN": ("Analysis Visit (N)", "Num"),
    "ASEQ": ("Analysis Sequence Number", "Int"),
    "ANL01FL": ("Analysis Flag 01", "Char"),
    "ANL02FL": ("Analysis Flag 02", "Char"),
    "ABLFL": ("Baseline Record Flag", "Char"),
    "BASE": ("Baseline Value", "Num"),
    "CHG": ("Change from Baseline", "Num"),
    "PCHG": ("Percent Change from Baseline", "Num"),
    "NADIR": ("Nadir Value Prior to Visit", "Num"),
    "PCHGNAD": ("Percent Change from Nadir", "Num"),
    "TRGRESP": ("Target Lesion Response", "Char"),
    # time to event (ADTTE)
    "STARTDT": ("Time-to-Event Origin Date for Subject", "Date"),
    "CNSR": ("Censor", "Int"),
    "EVNTDESC": ("Event or Censoring Description", "Char"),
    "CNSDTDSC": ("Censor Date Description", "Char"),
    "SRCDOM": ("Source Data", "Char"),
    "SRCVAR": ("Source Variable", "Char"),
    "SRCSEQ": ("Source Sequence Number", "Int"),
    # adverse events (ADAE, OCCDS)
    "ASTDT": ("Analysis Start Date", "Date"),
    "ASTDTF": ("Analysis Start Date Imputation Flag", "Char"),
    "AENDT": ("Analysis End Date", "Date"),
    "AENDTF": ("Analysis End Date Imputation Flag", "Char"),
    "ASTDY": ("Analysis Start Relative Day", "Int"),
    "AENDY": ("Analysis End Relative Day", "Int"),
    "TRTEMFL": ("Treatment Emergent Analysis Flag", "Char"),
    "ATOXGRN": ("Analysis Toxicity Grade (N)", "Int"),
    "AOCCIFL": ("1st Max Sev./Int. Occurrence Flag", "Char"),
    "AOCCPFL": ("1st Max Sev./Int. Occur Within PT Flag", "Char"),
    "AESERFL": ("Serious Event Flag", "Char"),
    "AEFATFL": ("Fatal Event Flag", "Char"),
    # carried over from SDTM with the meaning ADaM gives them
    "DOMAIN": ("Domain Abbreviation", "Char"),
    "VISIT": ("Visit Name", "Char"),
    "VISITNUM": ("Visit Number", "Num"),
}

# Per-agent variables (AG01 = the protocol's first agent) and customised query names.
_PATTERNS: tuple[tuple[re.Pattern[str], str, AdamType], ...] = (
    (re.compile(r"AG(\d\d)SDT"), "Date of First Exposure to Agent {0}", "Date"),
    (re.compile(r"AG(\d\d)EDT"), "Date of Last Exposure to Agent {0}", "Date"),
    (re.compile(r"AG(\d\d)EOT"), "End of Treatment Status Agent {0}", "Char"),
    (re.compile(r"AG(\d\d)EOTR"), "End of Treatment Reason Agent {0}", "Char"),
    (re.compile(r"AG(\d\d)EODT"), "End of Treatment Date Agent {0}", "Date"),
    (re.compile(r"AG(\d\d)NAME"), "Name of Agent {0}", "Char"),
    (re.compile(r"AG(\d\d)REL"), "Causality to Agent {0}", "Char"),
    (re.compile(r"CQ(\d\d)NAM"), "Customized Query {0} Name", "Char"),
    # SUPPAE's relationship to each agent (first three letters), merged into AE
    (re.compile(r"AEREL([A-Z0-9]{1,3})"), "Causality to {0}", "Char"),
)

_SDTM_TYPES: dict[str, AdamType] = {"Char": "Char", "Num": "Num", "Int": "Int"}


def adam_variable(name: str) -> AdamVariable:
    """Label and type of an ADaM variable.

    By the table of ADaM variables, then the per-agent patterns, then the SDTMIG specs (a
    variable carried over from SDTM), then the ADaM naming rules for the type only (``*DTM`` a
    datetime, ``*DT`` a date, ``*DY`` an integer), with no label; else neither is known.
    """
    known = _VARIABLES.get(name)
    if known is not None:
        return AdamVariable(name, *known)
    for pattern, label, kind in _PATTERNS:
        match = pattern.fullmatch(name)
        if match:
            return AdamVariable(name, label.format(*match.groups()), kind)
    sdtm = _SDTM_VARIABLES.get(name)
    if sdtm is not None:
        return sdtm
    if name.endswith("DTM"):
        return AdamVariable(name, None, "Datetime")
    if name.endswith("DT"):
        return AdamVariable(name, None, "Date")
    if name.endswith("DY"):
        return AdamVariable(name, None, "Int")
    return AdamVariable(name, None, None)


def _sdtm_variables() -> dict[str, AdamVariable]:
    out: dict[str, AdamVariable] = {}
    for spec in SPECS.values():
        for var in spec.variables:
            out.setdefault(var.name, AdamVariable(var.name, var.label, _SDTM_TYPES[var.type]))
    return out


_SDTM_VARIABLES = _sdtm_variables()
