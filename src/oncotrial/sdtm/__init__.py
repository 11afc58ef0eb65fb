"""SDTM in and out: domain specs (SDTMIG 3.4), validation, and study folders in parquet, CSV,
SAS XPT v5 and CDISC Dataset-JSON 1.1.

A study is a folder with one file per domain (``dm.parquet``, ``ae.csv``, ``tr.xpt``,
``rs.json``), read into a :class:`Study` (domain name -> polars frame, conformed to the specs)
and checked by :func:`validate_study`, which reports every problem with its file, row (as a user
sees it), variable, value, rule and hint. Producers of SDTM (the simulator, an EDC export) build
domains from records with :func:`build_domain` and a study with :func:`build_study`. ISO 8601
dates and admiral-style imputation are in :mod:`oncotrial.sdtm.dates`.

Examples
--------
>>> import polars as pl
>>> from oncotrial.sdtm import validate_study
>>> dm = pl.DataFrame({"STUDYID": ["S1"], "DOMAIN": ["DM"], "USUBJID": ["S1-001"],
...     "SUBJID": ["001"], "SITEID": ["01"], "SEX": ["F"], "COUNTRY": ["FRA"]})
>>> ae = pl.DataFrame({"STUDYID": ["S1"], "DOMAIN": ["AE"], "USUBJID": ["S1-002"],
...     "AESEQ": [1], "AETERM": ["FATIGUE"], "AEDECOD": ["Fatigue"]})
>>> report = validate_study({"dm": dm, "ae": ae})
>>> report.frame.filter(pl.col("severity") == "error").select("file", "row", "variable", "rule")
shape: (1, 4)
┌──────┬─────┬──────────┬───────────────┐
│ file ┆ row ┆ variable ┆ rule          │
│ ---  ┆ --- ┆ ---      ┆ ---           │
│ str  ┆ i64 ┆ str      ┆ str           │
╞══════╪═════╪══════════╪═══════════════╡
│ ae   ┆ 1   ┆ USUBJID  ┆ usubjid-in-dm │
└──────┴─────┴──────────┴───────────────┘
"""

from oncotrial.sdtm import dates
from oncotrial.sdtm._build import Records, ae_relationship_variable, build_domain, build_study
from oncotrial.sdtm._dedupe import drop_identical_duplicates
from oncotrial.sdtm._formats import FileFormat
from oncotrial.sdtm._io import (
    FORMATS,
    DatasetFile,
    domain_files,
    read_domain,
    read_study,
    write_datasets,
    write_study,
)
from oncotrial.sdtm._report import FINDINGS_SCHEMA, Finding, ValidationReport
from oncotrial.sdtm._spec import CODELISTS, SPECS, Codelist, DomainSpec, Variable, domain_spec
from oncotrial.sdtm._study import DomainSource, ExtraCheck, Study, validate_study

__all__ = [
    "CODELISTS",
    "FINDINGS_SCHEMA",
    "FORMATS",
    "SPECS",
    "Codelist",
    "DatasetFile",
    "DomainSource",
    "DomainSpec",
    "ExtraCheck",
    "FileFormat",
    "Finding",
    "Records",
    "Study",
    "ValidationReport",
    "Variable",
    "ae_relationship_variable",
    "build_domain",
    "build_study",
    "dates",
    "domain_files",
    "domain_spec",
    "drop_identical_duplicates",
    "read_domain",
    "read_study",
    "validate_study",
    "write_datasets",
    "write_study",
]
