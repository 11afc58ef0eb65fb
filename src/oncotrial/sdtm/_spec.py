"""Domain specifications (SDTMIG 3.4) as data: the one table that drives conformance, validation
and the metadata written to SAS XPT and Dataset-JSON.

Each domain is written as a text table, one variable per line::

    NAME | label | type | core [| codelist]

``type`` is ``Char``, ``Num`` (a double, as SAS stores it) or ``Int`` (a Num variable that only
holds whole numbers: sequence numbers, study days, orders); ``core`` is ``Req``, ``Exp`` or
``Perm`` as in the SDTMIG domain tables. The codelists are the CDISC Controlled Terminology
values the IG names for that variable (or the subset an oncology study uses, for extensible
lists, whose unknown values are warnings rather than errors).

Sources: CDISC SDTM Implementation Guide 3.4 (2021), domain specification tables of sections
6.1 (EX), 6.2 (AE, DS, DD... SV in 5.x), 6.3 (TU, TR, RS, VS), 5.2 (DM), 7.2-7.4 (TA, TE, TV);
CDISC Controlled Terminology (NCI EVS), codelists named in the table below by their short name
(e.g. C66731 SEX, C66742 NY).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import polars as pl

__all__ = [
    "CODELISTS",
    "SPECS",
    "Codelist",
    "DomainSpec",
    "Variable",
    "domain_spec",
]

VarType = Literal["Char", "Num", "Int"]
Core = Literal["Req", "Exp", "Perm"]


@dataclass(frozen=True, slots=True)
class Codelist:
    """Controlled terms of one variable.

    Parameters
    ----------
    name : str
        Short name of the CDISC codelist (``"SEX"``, ``"NY"``) or of our subset.
    values : tuple of str
        The submission values allowed.
    extensible : bool
        An extensible list (CDISC marks it so) lets sponsors add terms: a value outside it is a
        warning, not an error.
    """

    name: str
    values: tuple[str, ...]
    extensible: bool = False


@dataclass(frozen=True, slots=True)
class Variable:
    """One SDTM variable of a domain: name, label, type, core and controlled terms."""

    name: str
    label: str
    type: VarType
    core: Core
    codelist: Codelist | None = None

    @property
    def dtype(self) -> pl.DataType:
        """The polars type a conformed frame holds: String, Float64 (Num) or Int64 (Int)."""
        return {"Char": pl.String(), "Num": pl.Float64(), "Int": pl.Int64()}[self.type]

    @property
    def is_dtc(self) -> bool:
        """An ISO 8601 date/time variable (``--DTC``, ``--STDTC``, ``--ENDTC``, ``RF...DTC``)."""
        return self.type == "Char" and self.name.endswith("DTC")


@dataclass(frozen=True, slots=True)
class DomainSpec:
    """The SDTMIG specification of one domain.

    Parameters
    ----------
    name : str
        Two-letter domain code (``"DM"``).
    label : str
        Dataset label (<= 40 characters, as XPT v5 allows).
    variables : tuple of Variable
        In the IG's order.
    keys : tuple of str
        Natural keys (SDTMIG 3.4 section 3.2.1.1 and each domain's "structure"); duplicates are
        reported with `key_severity`.
    key_severity : {'error', 'warning'}
        'warning' where the IG's key is often not unique in real data: AE (the same term may
        start twice on one day) and TR (pharmaversesdtm's tr_onco_recist repeats non-target
        TUMSTATE records at one visit for one reader).
    conditional : tuple of (variable, codelist, test variable, test values)
        Codelists that apply only to some records, e.g. TUSTRESC is TARGET/NON-TARGET/NEW when
        TUTESTCD is TUMIDENT.
    """

    name: str
    label: str
    variables: tuple[Variable, ...]
    keys: tuple[str, ...]
    key_severity: Literal["error", "warning"] = "error"
    conditional: tuple[tuple[str, Codelist, str, tuple[str, ...]], ...] = field(default=())

    def __getitem__(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(v.name == name for v in self.variables)

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names in the IG's order."""
        return tuple(v.name for v in self.variables)

    @property
    def required(self) -> tuple[str, ...]:
        """Variables whose core is Req: must be present and never null."""
        return tuple(v.name for v in self.variables if v.core == "Req")

    @property
    def seq(self) -> str | None:
        """The --SEQ variable, unique within a subject, if the domain has one."""
        name = f"{self.name}SEQ"
        return name if name in self else None


def _cl(name: str, values: str, *, extensible: bool = False) -> Codelist:
    return Codelist(name, tuple(v.strip() for v in values.split(";")), extensible)


#: CDISC Controlled Terminology used by the specs (submission values).
CODELISTS: MappingProxyType[str, Codelist] = MappingProxyType(
    {
        cl.name: cl
        for cl in (
            _cl("NY", "N; NA; U; Y"),  # C66742
            _cl("Y", "Y"),  # flags the IG allows only as Y or null (DTHFL, --BLFL, --LOBXFL)
            _cl("SEX", "F; M; U; UNDIFFERENTIATED"),  # C66731
            _cl("AGEU", "YEARS; MONTHS; WEEKS; DAYS; HOURS"),  # C66781
            _cl("ETHNIC", "HISPANIC OR LATINO; NOT HISPANIC OR LATINO; NOT REPORTED; UNKNOWN"),
            _cl(
                "RACE",  # C74457
                "AMERICAN INDIAN OR ALASKA NATIVE; ASIAN; BLACK OR AFRICAN AMERICAN; "
                "NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER; WHITE; MULTIPLE; NOT REPORTED; "
                "OTHER; UNKNOWN",
                extensible=True,
            ),
            _cl("AESEV", "MILD; MODERATE; SEVERE"),  # C66769
            _cl(
                "OUT",  # C66768
                "FATAL; NOT RECOVERED/NOT RESOLVED; RECOVERED/RESOLVED; "
                "RECOVERED/RESOLVED WITH SEQUELAE; RECOVERING/RESOLVING; UNKNOWN",
            ),
            _cl(
                "ACN",  # C66767
                "DOSE INCREASED; DOSE NOT CHANGED; DOSE RATE REDUCED; DOSE REDUCED; "
                "DRUG INTERRUPTED; DRUG WITHDRAWN; NOT APPLICABLE; UNKNOWN",
            ),
            _cl("DSCAT", "DISPOSITION EVENT; OTHER EVENT; PROTOCOL MILESTONE"),  # C74558
            _cl("ND", "NOT DONE"),  # C66789, --STAT
            _cl(
                "EVAL",  # C78735, extensible
                "INVESTIGATOR; INDEPENDENT ASSESSOR; ADJUDICATION COMMITTEE; SPONSOR; "
                "CENTRAL REVIEWER; STUDY SUBJECT; CAREGIVER",
                extensible=True,
            ),
            _cl(
                "UNIT",  # C71620, extensible: the dose units of oncology regimens
                "mg; g; ug; mg/kg; ug/kg; mg/m2; ug/m2; g/m2; mL; L; IU; U; IU/kg; U/kg; "
                "mmol; AUC; mg/day; mg/kg/day; mg/m2/day; mm; cm",
                extensible=True,
            ),
            _cl(
                "ROUTE",  # C66729, extensible
                "INTRAVENOUS; ORAL; SUBCUTANEOUS; INTRAMUSCULAR; TRANSDERMAL; TOPICAL; "
                "INTRATHECAL; INTRAVESICAL; INTRAPERITONEAL; INTRAARTERIAL; INHALATION; "
                "INTRATUMORAL; RECTAL; SUBLINGUAL; NASAL",
                extensible=True,
            ),
            _cl(
                "EPOCH",  # C99079, extensible
                "SCREENING; RUN-IN; TREATMENT; FOLLOW-UP; LONG-TERM FOLLOW-UP; "
                "BLINDED TREATMENT; OPEN LABEL TREATMENT; WASHOUT",
                extensible=True,
            ),
            _cl(
                "VSTESTCD",  # C66741, extensible
                "SYSBP; DIABP; PULSE; HR; TEMP; RESP; HEIGHT; WEIGHT; BMI; BSA; OXYSAT; "
                "MAP; FRMSIZE",
                extensible=True,
            ),
            _cl("TUTESTCD", "TUMIDENT; TUSPLIT; TUMERGE", extensible=True),  # C96784
            _cl("TUMIDENT", "TARGET; NON-TARGET; NEW"),  # RECIST 1.1 lesion roles
            _cl(
                "TRTESTCD",  # C96779, extensible: RECIST 1.1 measurements and states
                "LDIAM; SAXIS; LPERP; DIAMETER; SUMDIAM; SUMLDIAM; SUMNLNLD; SUMLNLD; "
                "TUMSTATE; AREA; VOLUME; ACNSD; PCBSD; PCNSD; PCHGNSD",
                extensible=True,
            ),
            _cl(
                "RSTESTCD",  # C96782, extensible: RECIST 1.1 assessments
                "OVRLRESP; TRGRESP; NTRGRESP; NEWLPROG; NEWLIND; BESTRSP; CLINRESP; SYMPTDTR",
                extensible=True,
            ),
            _cl(
                "RECIST",  # oncology response (C96785 subset): RECIST 1.1 responses
                "CR; PR; SD; PD; NE; NON-CR/NON-PD; NED; NA",
                extensible=True,
            ),
        )
    }
)

# Measurements that are lengths in TRSTRESN: a negative value cannot be right.
DIAMETER_TESTS: tuple[str, ...] = (
    "LDIAM", "SAXIS", "LPERP", "DIAMETER", "SUMDIAM", "SUMLDIAM", "SUMNLNLD", "SUMLNLD",
)  # fmt: skip

# Variables every subject-level domain starts with (SDTMIG 3.4 section 4.1.2).
_IDS = """
STUDYID  | Study Identifier             | Char | Req
DOMAIN   | Domain Abbreviation          | Char | Req
USUBJID  | Unique Subject Identifier    | Char | Req
"""

# Timing variables shared by findings and events domains (visit, epoch).
_VISIT = """
VISITNUM | Visit Number                 | Num  | {vcore}
VISIT    | Visit Name                   | Char | Perm
VISITDY  | Planned Study Day of Visit   | Int  | Perm
EPOCH    | Epoch                        | Char | Perm | EPOCH
"""

_TABLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "DM": (
        "Demographics",
        _IDS
        + """
SUBJID   | Subject Identifier for the Study        | Char | Req
RFSTDTC  | Subject Reference Start Date/Time       | Char | Exp
RFENDTC  | Subject Reference End Date/Time         | Char | Exp
RFXSTDTC | Date/Time of First Study Treatment      | Char | Exp
RFXENDTC | Date/Time of Last Study Treatment       | Char | Exp
RFICDTC  | Date/Time of Informed Consent           | Char | Exp
RFPENDTC | Date/Time of End of Participation       | Char | Exp
DTHDTC   | Date/Time of Death                      | Char | Exp
DTHFL    | Subject Death Flag                      | Char | Exp  | Y
SITEID   | Study Site Identifier                   | Char | Req
INVID    | Investigator Identifier                 | Char | Perm
INVNAM   | Investigator Name                       | Char | Perm
BRTHDTC  | Date/Time of Birth                      | Char | Perm
AGE      | Age                                     | Num  | Exp
AGEU     | Age Units                               | Char | Exp  | AGEU
SEX      | Sex                                     | Char | Req  | SEX
RACE     | Race                                    | Char | Exp  | RACE
ETHNIC   | Ethnicity                               | Char | Perm | ETHNIC
ARMCD    | Planned Arm Code                        | Char | Exp
ARM      | Description of Planned Arm              | Char | Exp
ACTARMCD | Actual Arm Code                         | Char | Exp
ACTARM   | Description of Actual Arm               | Char | Exp
ARMNRS   | Reason Arm and/or Actual Arm is Null    | Char | Exp
ACTARMUD | Description of Unplanned Actual Arm     | Char | Exp
COUNTRY  | Country                                 | Char | Req
DMDTC    | Date/Time of Collection                 | Char | Perm
DMDY     | Study Day of Collection                 | Int  | Perm
""",
        ("STUDYID", "USUBJID"),
    ),
    "EX": (
        "Exposure",
        _IDS
        + """
EXSEQ    | Sequence Number                         | Int  | Req
EXGRPID  | Group ID                                | Char | Perm
EXREFID  | Reference ID                            | Char | Perm
EXSPID   | Sponsor-Defined Identifier              | Char | Perm
EXLNKID  | Link ID                                 | Char | Perm
EXLNKGRP | Link Group ID                           | Char | Perm
EXTRT    | Name of Treatment                       | Char | Req
EXCAT    | Category of Treatment                   | Char | Perm
EXSCAT   | Subcategory of Treatment                | Char | Perm
EXDOSE   | Dose                                    | Num  | Exp
EXDOSTXT | Dose Description                        | Char | Perm
EXDOSU   | Dose Units                              | Char | Exp  | UNIT
EXDOSFRM | Dose Form                               | Char | Exp
EXDOSFRQ | Dosing Frequency per Interval           | Char | Perm
EXDOSTOT | Total Daily Dose                        | Num  | Perm
EXDOSRGM | Intended Dose Regimen                   | Char | Perm
EXROUTE  | Route of Administration                 | Char | Perm | ROUTE
EXLOT    | Lot Number                              | Char | Perm
EXLOC    | Location of Dose Administration         | Char | Perm
EXLAT    | Laterality                              | Char | Perm
EXDIR    | Directionality                          | Char | Perm
EXFAST   | Fasting Status                          | Char | Perm | NY
EXADJ    | Reason for Dose Adjustment              | Char | Perm
"""
        + _VISIT.format(vcore="Perm")
        + """
EXSTDTC  | Start Date/Time of Treatment            | Char | Exp
EXENDTC  | End Date/Time of Treatment              | Char | Exp
EXSTDY   | Study Day of Start of Treatment         | Int  | Perm
EXENDY   | Study Day of End of Treatment           | Int  | Perm
EXDUR    | Duration of Treatment                   | Char | Perm
""",
        ("STUDYID", "USUBJID", "EXTRT", "EXSTDTC"),
    ),
    "AE": (
        "Adverse Events",
        _IDS
        + """
AESEQ    | Sequence Number                         | Int  | Req
AEGRPID  | Group ID                                | Char | Perm
AEREFID  | Reference ID                            | Char | Perm
AESPID   | Sponsor-Defined Identifier              | Char | Perm
AETERM   | Reported Term for the Adverse Event     | Char | Req
AEMODIFY | Modified Reported Term                  | Char | Perm
AELLT    | Lowest Level Term                       | Char | Exp
AELLTCD  | Lowest Level Term Code                  | Num  | Exp
AEDECOD  | Dictionary-Derived Term                 | Char | Req
AEPTCD   | Preferred Term Code                     | Num  | Exp
AEHLT    | High Level Term                         | Char | Exp
AEHLTCD  | High Level Term Code                    | Num  | Exp
AEHLGT   | High Level Group Term                   | Char | Exp
AEHLGTCD | High Level Group Term Code              | Num  | Exp
AECAT    | Category for Adverse Event              | Char | Perm
AESCAT   | Subcategory for Adverse Event           | Char | Perm
AEPRESP  | Pre-Specified Adverse Event             | Char | Perm | Y
AEBODSYS | Body System or Organ Class              | Char | Exp
AEBDSYCD | Body System or Organ Class Code         | Num  | Exp
AESOC    | Primary System Organ Class              | Char | Exp
AESOCCD  | Primary System Organ Class Code         | Num  | Exp
AELOC    | Location of Event                       | Char | Perm
AESEV    | Severity/Intensity                      | Char | Perm | AESEV
AESER    | Serious Event                           | Char | Exp  | NY
AEACN    | Action Taken with Study Treatment       | Char | Exp  | ACN
AEACNOTH | Other Action Taken                      | Char | Perm
AEREL    | Causality                               | Char | Exp
AERELNST | Relationship to Non-Study Treatment     | Char | Perm
AEPATT   | Pattern of Adverse Event                | Char | Perm
AEOUT    | Outcome of Adverse Event                | Char | Perm | OUT
AESCAN   | Involves Cancer                         | Char | Perm | NY
AESCONG  | Congenital Anomaly or Birth Defect      | Char | Perm | NY
AESDISAB | Persist or Signif Disability/Incapacity | Char | Perm | NY
AESDTH   | Results in Death                        | Char | Perm | NY
AESHOSP  | Requires or Prolongs Hospitalization    | Char | Perm | NY
AESLIFE  | Is Life Threatening                     | Char | Perm | NY
AESOD    | Occurred with Overdose                  | Char | Perm | NY
AESMIE   | Other Medically Important Serious Event | Char | Perm | NY
AECONTRT | Concomitant or Additional Trtmnt Given  | Char | Perm | NY
AETOXGR  | Standard Toxicity Grade                 | Char | Perm
EPOCH    | Epoch                                   | Char | Perm | EPOCH
AEDTC    | Date/Time of Collection                 | Char | Perm
AESTDTC  | Start Date/Time of Adverse Event        | Char | Exp
AEENDTC  | End Date/Time of Adverse Event          | Char | Exp
AEDY     | Study Day of Visit/Collection/Exam      | Int  | Perm
AESTDY   | Study Day of Start of Adverse Event     | Int  | Perm
AEENDY   | Study Day of End of Adverse Event       | Int  | Perm
AEDUR    | Duration of Adverse Event               | Char | Perm
AEENRTPT | End Relative to Reference Time Point    | Char | Perm
AEENTPT  | End Reference Time Point                | Char | Perm
""",
        ("STUDYID", "USUBJID", "AEDECOD", "AESTDTC"),
    ),
    "DS": (
        "Disposition",
        _IDS
        + """
DSSEQ    | Sequence Number                         | Int  | Req
DSGRPID  | Group ID                                | Char | Perm
DSREFID  | Reference ID                            | Char | Perm
DSSPID   | Sponsor-Defined Identifier              | Char | Perm
DSTERM   | Reported Term for the Disposition Event | Char | Req
DSDECOD  | Standardized Disposition Term           | Char | Req
DSCAT    | Category for Disposition Event          | Char | Exp  | DSCAT
DSSCAT   | Subcategory for Disposition Event       | Char | Perm
"""
        + _VISIT.format(vcore="Perm")
        + """
DSDTC    | Date/Time of Collection                 | Char | Perm
DSSTDTC  | Start Date/Time of Disposition Event    | Char | Exp
DSDY     | Study Day of Collection                 | Int  | Perm
DSSTDY   | Study Day of Start of Disposition Event | Int  | Perm
""",
        ("STUDYID", "USUBJID", "DSCAT", "DSSCAT", "DSDECOD", "DSSTDTC"),
    ),
    "DD": (
        "Death Details",
        _IDS
        + """
DDSEQ    | Sequence Number                         | Int  | Req
DDTESTCD | Death Detail Assessment Short Name      | Char | Req
DDTEST   | Death Detail Assessment Name            | Char | Req
DDORRES  | Result or Finding as Collected          | Char | Exp
DDSTRESC | Character Result/Finding in Std Format  | Char | Exp
DDEVAL   | Evaluator                               | Char | Perm | EVAL
DDDTC    | Date/Time of Collection                 | Char | Perm
DDDY     | Study Day of Collection                 | Int  | Perm
""",
        ("STUDYID", "USUBJID", "DDTESTCD", "DDEVAL"),
    ),
    "SV": (
        "Subject Visits",
        _IDS
        + """
VISITNUM | Visit Number                            | Num  | Req
VISIT    | Visit Name                              | Char | Perm
SVPRESP  | Pre-specified                           | Char | Perm | Y
SVOCCUR  | Occurrence                              | Char | Perm | NY
SVREASOC | Reason for Occur Value                  | Char | Perm
VISITDY  | Planned Study Day of Visit              | Int  | Perm
EPOCH    | Epoch                                   | Char | Perm | EPOCH
SVSTDTC  | Start Date/Time of Observation          | Char | Exp
SVENDTC  | End Date/Time of Observation            | Char | Exp
SVSTDY   | Study Day of Start of Observation       | Int  | Perm
SVENDY   | Study Day of End of Observation         | Int  | Perm
SVUPDES  | Description of Unplanned Visit          | Char | Perm
""",
        ("STUDYID", "USUBJID", "VISITNUM"),
    ),
    "VS": (
        "Vital Signs",
        _IDS
        + """
VSSEQ    | Sequence Number                         | Int  | Req
VSGRPID  | Group ID                                | Char | Perm
VSSPID   | Sponsor-Defined Identifier              | Char | Perm
VSTESTCD | Vital Signs Test Short Name             | Char | Req  | VSTESTCD
VSTEST   | Vital Signs Test Name                   | Char | Req
VSCAT    | Category for Vital Signs                | Char | Perm
VSSCAT   | Subcategory for Vital Signs             | Char | Perm
VSPOS    | Vital Signs Position of Subject         | Char | Perm
VSORRES  | Result or Finding in Original Units     | Char | Exp
VSORRESU | Original Units                          | Char | Exp
VSSTRESC | Character Result/Finding in Std Format  | Char | Exp
VSSTRESN | Numeric Result/Finding in Standard Units| Num  | Exp
VSSTRESU | Standard Units                          | Char | Exp
VSSTAT   | Completion Status                       | Char | Perm | ND
VSREASND | Reason Not Performed                    | Char | Perm
VSLOC    | Location of Vital Signs Measurement     | Char | Perm
VSLAT    | Laterality                              | Char | Perm
VSLOBXFL | Last Observation Before Exposure Flag   | Char | Exp  | Y
VSBLFL   | Baseline Flag                           | Char | Perm | Y
VSDRVFL  | Derived Flag                            | Char | Perm | Y
"""
        + _VISIT.format(vcore="Exp")
        + """
VSDTC    | Date/Time of Measurements               | Char | Exp
VSDY     | Study Day of Vital Signs                | Int  | Perm
VSTPT    | Planned Time Point Name                 | Char | Perm
VSTPTNUM | Planned Time Point Number               | Num  | Perm
VSELTM   | Planned Elapsed Time from Time Point Ref| Char | Perm
VSTPTREF | Time Point Reference                    | Char | Perm
""",
        ("STUDYID", "USUBJID", "VSTESTCD", "VISITNUM", "VSTPTNUM", "VSPOS", "VSDTC"),
    ),
    "TU": (
        "Tumor/Lesion Identification",
        _IDS
        + """
TUSEQ    | Sequence Number                         | Int  | Req
TUGRPID  | Group ID                                | Char | Perm
TUREFID  | Reference ID                            | Char | Perm
TUSPID   | Sponsor-Defined Identifier              | Char | Perm
TULNKID  | Link ID                                 | Char | Exp
TULNKGRP | Link Group ID                           | Char | Perm
TUTESTCD | Tumor/Lesion ID Short Name              | Char | Req  | TUTESTCD
TUTEST   | Tumor/Lesion ID Test Name               | Char | Req
TUORRES  | Tumor/Lesion ID Result                  | Char | Exp
TUSTRESC | Tumor/Lesion ID Result Std. Format      | Char | Exp
TUNAM    | Laboratory/Vendor Name                  | Char | Perm
TULOC    | Location of the Tumor/Lesion            | Char | Exp
TULAT    | Laterality                              | Char | Perm
TUDIR    | Directionality                          | Char | Perm
TUPORTOT | Portion or Totality                     | Char | Perm
TUMETHOD | Method of Identification                | Char | Exp
TULOBXFL | Last Observation Before Exposure Flag   | Char | Perm | Y
TUBLFL   | Baseline Flag                           | Char | Perm | Y
TUEVAL   | Evaluator                               | Char | Perm | EVAL
TUEVALID | Evaluator Identifier                    | Char | Perm
TUACPTFL | Accepted Record Flag                    | Char | Perm | NY
"""
        + _VISIT.format(vcore="Exp")
        + """
TUDTC    | Date/Time of Tumor/Lesion Identification| Char | Exp
TUDY     | Study Day of Tumor/Lesion Identification| Int  | Perm
""",
        ("STUDYID", "USUBJID", "TUEVAL", "TUEVALID", "TULNKID", "TUTESTCD"),
    ),
    "TR": (
        "Tumor/Lesion Results",
        _IDS
        + """
TRSEQ    | Sequence Number                         | Int  | Req
TRGRPID  | Group ID                                | Char | Perm
TRREFID  | Reference ID                            | Char | Perm
TRSPID   | Sponsor-Defined Identifier              | Char | Perm
TRLNKID  | Link ID                                 | Char | Exp
TRLNKGRP | Link Group ID                           | Char | Perm
TRTESTCD | Tumor/Lesion Assessment Short Name      | Char | Req  | TRTESTCD
TRTEST   | Tumor/Lesion Assessment Test Name       | Char | Req
TRORRES  | Result or Finding in Original Units     | Char | Exp
TRORRESU | Original Units                          | Char | Exp
TRSTRESC | Character Result/Finding in Std Format  | Char | Exp
TRSTRESN | Numeric Result/Finding in Standard Units| Num  | Exp
TRSTRESU | Standard Units                          | Char | Exp
TRSTAT   | Completion Status                       | Char | Perm | ND
TRREASND | Reason Not Done                         | Char | Perm
TRNAM    | Laboratory/Vendor Name                  | Char | Perm
TRMETHOD | Method Used to Identify the Tumor/Lesion| Char | Exp
TRLOBXFL | Last Observation Before Exposure Flag   | Char | Perm | Y
TRBLFL   | Baseline Flag                           | Char | Perm | Y
TREVAL   | Evaluator                               | Char | Perm | EVAL
TREVALID | Evaluator Identifier                    | Char | Perm
TRACPTFL | Accepted Record Flag                    | Char | Perm | NY
"""
        + _VISIT.format(vcore="Exp")
        + """
TRDTC    | Date/Time of Tumor/Lesion Measurement   | Char | Exp
TRDY     | Study Day of Tumor/Lesion Measurement   | Int  | Perm
""",
        (
            "STUDYID",
            "USUBJID",
            "TREVAL",
            "TREVALID",
            "TRGRPID",
            "TRLNKID",
            "TRTESTCD",
            "VISITNUM",
            "TRDTC",
        ),
    ),
    "RS": (
        "Disease Response and Clin Classification",
        _IDS
        + """
RSSEQ    | Sequence Number                         | Int  | Req
RSGRPID  | Group ID                                | Char | Perm
RSREFID  | Reference ID                            | Char | Perm
RSSPID   | Sponsor-Defined Identifier              | Char | Perm
RSLNKID  | Link ID                                 | Char | Perm
RSLNKGRP | Link Group ID                           | Char | Perm
RSTESTCD | Assessment Short Name                   | Char | Req  | RSTESTCD
RSTEST   | Assessment Name                         | Char | Req
RSCAT    | Category for Assessment                 | Char | Exp
RSSCAT   | Subcategory for Assessment              | Char | Perm
RSORRES  | Result or Finding in Original Units     | Char | Exp
RSORRESU | Original Units                          | Char | Perm
RSSTRESC | Character Result/Finding in Std Format  | Char | Exp
RSSTRESN | Numeric Result/Finding in Standard Units| Num  | Perm
RSSTRESU | Standard Units                          | Char | Perm
RSSTAT   | Completion Status                       | Char | Perm | ND
RSREASND | Reason Not Done                         | Char | Perm
RSNAM    | Laboratory/Vendor Name                  | Char | Perm
RSLOBXFL | Last Observation Before Exposure Flag   | Char | Perm | Y
RSBLFL   | Baseline Flag                           | Char | Perm | Y
RSDRVFL  | Derived Flag                            | Char | Perm | Y
RSEVAL   | Evaluator                               | Char | Exp  | EVAL
RSEVALID | Evaluator Identifier                    | Char | Perm
RSACPTFL | Accepted Record Flag                    | Char | Perm | NY
"""
        + _VISIT.format(vcore="Exp")
        + """
RSDTC    | Date/Time of Assessment                 | Char | Exp
RSDY     | Study Day of Assessment                 | Int  | Perm
""",
        (
            "STUDYID",
            "USUBJID",
            "RSEVAL",
            "RSEVALID",
            "RSCAT",
            "RSTESTCD",
            "VISITNUM",
            "RSDTC",
        ),
    ),
    "TV": (
        "Trial Visits",
        """
STUDYID  | Study Identifier                        | Char | Req
DOMAIN   | Domain Abbreviation                     | Char | Req
VISITNUM | Visit Number                            | Num  | Req
VISIT    | Visit Name                              | Char | Perm
VISITDY  | Planned Study Day of Visit              | Int  | Perm
ARMCD    | Planned Arm Code                        | Char | Exp
ARM      | Description of Planned Arm              | Char | Perm
TVSTRL   | Visit Start Rule                        | Char | Req
TVENRL   | Visit End Rule                          | Char | Perm
""",
        ("STUDYID", "ARMCD", "VISITNUM"),
    ),
    "TA": (
        "Trial Arms",
        """
STUDYID  | Study Identifier                        | Char | Req
DOMAIN   | Domain Abbreviation                     | Char | Req
ARMCD    | Planned Arm Code                        | Char | Req
ARM      | Description of Planned Arm              | Char | Req
TAETORD  | Planned Order of Element within Arm     | Int  | Req
ETCD     | Element Code                            | Char | Req
ELEMENT  | Description of Element                  | Char | Perm
TABRANCH | Branch                                  | Char | Exp
TATRANS  | Transition Rule                         | Char | Exp
EPOCH    | Epoch                                   | Char | Req  | EPOCH
""",
        ("STUDYID", "ARMCD", "TAETORD"),
    ),
    "TE": (
        "Trial Elements",
        """
STUDYID  | Study Identifier                        | Char | Req
DOMAIN   | Domain Abbreviation                     | Char | Req
ETCD     | Element Code                            | Char | Req
ELEMENT  | Description of Element                  | Char | Req
TESTRL   | Rule for Start of Element               | Char | Req
TEENRL   | Rule for End of Element                 | Char | Perm
TEDUR    | Planned Duration of Element             | Char | Perm
""",
        ("STUDYID", "ETCD"),
    ),
}

_CONDITIONAL: dict[str, tuple[tuple[str, Codelist, str, tuple[str, ...]], ...]] = {
    "TU": (("TUSTRESC", CODELISTS["TUMIDENT"], "TUTESTCD", ("TUMIDENT",)),),
    "RS": (("RSSTRESC", CODELISTS["RECIST"], "RSTESTCD", ("OVRLRESP", "TRGRESP", "NTRGRESP")),),
}


def _parse(table: str) -> tuple[Variable, ...]:
    out: list[Variable] = []
    for line in table.strip().splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")]
        name, label, vtype, core = cells[:4]
        codelist = CODELISTS[cells[4]] if len(cells) > 4 and cells[4] else None
        out.append(Variable(name, label, vtype, core, codelist))  # type: ignore[arg-type]
    return tuple(out)


#: The specs, by domain code.
SPECS: MappingProxyType[str, DomainSpec] = MappingProxyType(
    {
        code: DomainSpec(
            name=code,
            label=label,
            variables=_parse(table),
            keys=keys,
            key_severity="warning" if code in ("AE", "TR") else "error",
            conditional=_CONDITIONAL.get(code, ()),
        )
        for code, (label, table, keys) in _TABLES.items()
    }
)


def domain_spec(name: str) -> DomainSpec | None:
    """The spec of a domain by its code or file stem (``"dm"``, ``"DM"``), or None.

    Examples
    --------
    >>> spec = domain_spec("dm")
    >>> spec.label, spec.keys, spec["SEX"].codelist.values
    ('Demographics', ('STUDYID', 'USUBJID'), ('F', 'M', 'U', 'UNDIFFERENTIATED'))
    >>> domain_spec("xx") is None
    True
    """
    return SPECS.get(name.upper())
