"""A study's SDTM in memory (:class:`Study`) and its validation, single- and cross-domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

import polars as pl

from oncotrial.errors import InputError
from oncotrial.sdtm._ctcae import ctcae_grade_findings
from oncotrial.sdtm._formats import FileFormat
from oncotrial.sdtm._report import FINDINGS_SCHEMA, Finding, ValidationReport
from oncotrial.sdtm._spec import DomainSpec, domain_spec
from oncotrial.sdtm._validate import Context, check_domain, conform_domain, findings_frame

__all__ = ["DomainSource", "ExtraCheck", "Study", "validate_study"]

#: Where a domain's frame came from: a file of a format, or memory.
SourceFormat = FileFormat | Literal["memory"]

#: Signature of a check the caller adds (e.g. CTCAE grades per term from
#: ``oncotrial.terminology``): it gets the study and returns Finding objects, or a frame with
#: the columns of ``FINDINGS_SCHEMA``. Use :meth:`Study.row_of` for the row a user sees.
ExtraCheck = Callable[["Study"], "Iterable[Finding] | pl.DataFrame"]

_RESPONSE_TESTS = ("OVRLRESP", "TRGRESP")


@dataclass(frozen=True, slots=True)
class DomainSource:
    """Where a domain came from.

    Parameters
    ----------
    file : str
        The path as given (``"sdtm/dm.csv"``), or the domain name for frames built in memory.
    format : FileFormat or 'memory'
        The file's format.
    first_row : int
        Row number a user sees for the first record: 2 in CSV (the header is row 1), 1 in
        parquet, XPT, Dataset-JSON and memory.
    labels : mapping of str to str
        Variable labels the file carried (XPT, Dataset-JSON), kept for variables the spec does
        not know.
    dataset_label : str, optional
        The dataset label the file carried.
    domain : str, optional
        Domain code when the file's stem is not one (``rs_onco.parquet`` holding DOMAIN "RS"):
        the spec is found by it. Cross-domain checks still look for the standard names.
    types : mapping of str to str
        Variables the file declares as ``'date'``, ``'datetime'`` or ``'time'`` (an XPT
        variable's SAS format, a Dataset-JSON ``dataType``); their values are read as the file
        holds them (SAS numbers, ISO 8601 text) and the reader of ADaM turns them into dates.
    """

    file: str
    format: SourceFormat
    first_row: int = 1
    labels: Mapping[str, str] = field(default_factory=dict)
    dataset_label: str | None = None
    domain: str | None = None
    types: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Study(Mapping[str, pl.DataFrame]):
    """A study's SDTM: domain name (lower case, as the file stem: ``"dm"``) -> polars frame.

    A read-only mapping (``study["dm"]``, ``study.items()``, ``"ae" in study``), what
    :func:`oncotrial.sdtm.read_study`, :func:`oncotrial.sdtm.build_study` and
    :func:`oncotrial.sim.simulate_trial` return and :func:`oncotrial.adam.derive_adam` takes.

    Frames are conformed to the specs on the way in (Char -> String, Num -> Float64, Int ->
    Int64; see :func:`oncotrial.sdtm.read_study`); problems found while doing so are kept in
    `load_findings` and reported by :func:`validate_study`.

    Build one with :meth:`from_frames` (frames in memory) or :func:`oncotrial.sdtm.read_study`.

    Examples
    --------
    >>> import polars as pl
    >>> dm = pl.DataFrame({"STUDYID": ["S1"], "DOMAIN": ["DM"], "USUBJID": ["S1-001"],
    ...                    "AGE": [64]})
    >>> study = Study.from_frames({"DM": dm})
    >>> study.names, study["dm"].schema["AGE"]
    (('dm',), Float64)
    """

    domains: Mapping[str, pl.DataFrame]
    sources: Mapping[str, DomainSource]
    load_findings: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=FINDINGS_SCHEMA)
    )

    @classmethod
    def from_frames(
        cls,
        frames: Mapping[str, pl.DataFrame],
        *,
        sources: Mapping[str, DomainSource] | None = None,
    ) -> Study:
        """Conform frames to the specs and wrap them; names are lower-cased.

        Parameters
        ----------
        frames : mapping of str to DataFrame
            Domain name (``"dm"`` or ``"DM"``; the spec is found by it) -> frame.
        sources : mapping of str to DomainSource, optional
            Where each frame came from (readers pass it); default: memory, first row 1.
        """
        domains: dict[str, pl.DataFrame] = {}
        srcs: dict[str, DomainSource] = {}
        parts = []
        for name, frame in frames.items():
            key = name.lower()
            if key in domains:
                raise InputError(
                    "is given twice", field=key, hint="one frame (one file) per domain"
                )
            if not isinstance(frame, pl.DataFrame):
                raise InputError(
                    f"is a {type(frame).__name__}, not a polars DataFrame",
                    field=key,
                    hint="convert it with polars.from_pandas(...) or polars.DataFrame(...)",
                )
            src = (sources or {}).get(key) or DomainSource(file=key, format="memory")
            src = _with_domain(key, frame, src)
            conformed, found = conform_domain(frame, _ctx(key, src))
            domains[key] = conformed
            srcs[key] = src
            parts.append(found)
        findings = pl.concat([pl.DataFrame(schema=FINDINGS_SCHEMA), *parts])
        return cls(MappingProxyType(domains), MappingProxyType(srcs), findings)

    def __getitem__(self, name: str) -> pl.DataFrame:
        try:
            return self.domains[name.lower()]
        except KeyError:
            raise InputError(
                "is not in the study",
                field=name,
                hint=f"domains: {', '.join(self.names) or 'none'}",
            ) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self.domains

    def get(self, name: str, default: pl.DataFrame | None = None) -> pl.DataFrame | None:  # type: ignore[override]
        """The frame of a domain, or `default` when the study has none."""
        return self.domains.get(name.lower(), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.domains)

    def __len__(self) -> int:
        return len(self.domains)

    @property
    def names(self) -> tuple[str, ...]:
        """Domain names (lower case), in the order read."""
        return tuple(self.domains)

    def context(self, name: str) -> Context:
        """File, domain code and first-row number of a domain, for findings."""
        return _ctx(name.lower(), self.sources[name.lower()])

    def spec(self, name: str) -> DomainSpec | None:
        """The spec of a domain (by its name, or its DOMAIN code for other file names)."""
        return domain_spec(self.sources[name.lower()].domain or name)

    def row_of(self, name: str, index: int) -> int:
        """The row a user sees for the 0-based record `index` of domain `name`."""
        return index + self.sources[name.lower()].first_row

    def to_dict(self) -> dict[str, pl.DataFrame]:
        """A plain dict of the frames."""
        return dict(self.domains)


def _with_domain(key: str, frame: pl.DataFrame, src: DomainSource) -> DomainSource:
    """Find the spec of a file whose stem is not a domain code (``rs_onco.parquet``) from its
    DOMAIN column, when that holds one known code."""
    if domain_spec(key) is not None or src.domain is not None or "DOMAIN" not in frame.columns:
        return src
    if frame.schema["DOMAIN"] != pl.String:
        return src
    codes = frame["DOMAIN"].drop_nulls().unique().to_list()
    if len(codes) == 1 and domain_spec(codes[0]) is not None:
        return replace(src, domain=domain_spec(codes[0]).name)  # type: ignore[union-attr]
    return src


def _ctx(name: str, src: DomainSource) -> Context:
    spec = domain_spec(src.domain or name)
    return Context(file=src.file, domain=spec.name if spec else name, first_row=src.first_row)


def validate_study(
    study: Study | Mapping[str, pl.DataFrame],
    *,
    extra_checks: Sequence[ExtraCheck] = (),
) -> ValidationReport:
    """Check every domain against its spec and the domains against each other.

    Parameters
    ----------
    study : Study or mapping of str to DataFrame
        From :func:`oncotrial.sdtm.read_study`, or frames (conformed first).
    extra_checks : sequence of callables, default ()
        Further checks, each ``check(study) -> Iterable[Finding] | DataFrame``; the hook for
        checks that live in other packages, e.g. CTCAE grade per term.

    Returns
    -------
    ValidationReport
        Every finding; ``report.ok`` is False when there is an error.

    Notes
    -----
    Single-domain rules: variable names, empty domain, Req/Exp variables present, Req values
    present, DOMAIN code, codelists (errors; warnings for extensible lists), ISO 8601 dates,
    --SEQ unique per subject, natural keys unique, no negative dose, age or diameter, start not
    after end, character values XPT v5 can hold, types (found while reading).
    CTCAE v5.0: an AETOXGR the AEDECOD term does not allow is an error (a term that is not a
    CTCAE term, a warning).
    Cross-domain rules: DM present, every USUBJID in DM, EX dates within the subject's study
    participation (DM.RFXSTDTC or RFSTDTC to RFPENDTC), every TRLNKID in TU, RS response visits
    with TR measurements and the reverse (warnings). docs/sdtm.md lists them with examples.

    Examples
    --------
    >>> import polars as pl
    >>> dm = pl.DataFrame({"STUDYID": ["S1"], "DOMAIN": ["DM"], "USUBJID": ["S1-001"],
    ...     "SUBJID": ["001"], "SITEID": ["01"], "SEX": ["X"], "COUNTRY": ["FRA"]})
    >>> report = validate_study({"dm": dm})
    >>> report.ok
    False
    >>> print(report.findings[0])
    dm:1: SEX: 'X' is not in codelist SEX
    hint: allowed: F, M, U, UNDIFFERENTIATED
    """
    if not isinstance(study, Study):
        study = Study.from_frames(study)
    parts = [study.load_findings]
    for name, frame in study.domains.items():
        parts.append(check_domain(frame, study.context(name)))
    parts.extend(_cross_domain(study))
    for check in (ctcae_grade_findings, *extra_checks):
        got = check(study)
        if isinstance(got, pl.DataFrame):
            parts.append(got)
        else:
            rows = [tuple(getattr(f, k) for k in FINDINGS_SCHEMA) for f in got]
            if rows:
                parts.append(pl.DataFrame(rows, schema=FINDINGS_SCHEMA, orient="row"))
    return ValidationReport.from_parts(parts)


def _idx(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_row_index("__row__")


def _cross_domain(study: Study) -> list[pl.DataFrame]:
    parts: list[pl.DataFrame] = []
    subject_domains = [n for n, f in study.domains.items() if "USUBJID" in f.columns and n != "dm"]
    if "dm" not in study:
        if subject_domains:
            first = study.context(subject_domains[0])
            parts.append(
                pl.DataFrame(
                    [
                        (
                            "error",
                            first.file,
                            "DM",
                            None,
                            "USUBJID",
                            None,
                            "dm-missing",
                            "DM is missing: subjects cannot be checked",
                            "add dm.<format> to the folder (one row per subject)",
                        )
                    ],
                    schema=FINDINGS_SCHEMA,
                    orient="row",
                )
            )
        return parts
    dm = study["dm"]
    if "USUBJID" not in dm.columns:
        return parts
    subjects = dm.select("USUBJID").unique()
    for name in subject_domains:
        frame = _idx(study[name])
        ctx = study.context(name)
        orphan = frame.join(subjects, on="USUBJID", how="anti")
        parts.append(
            findings_frame(
                orphan,
                pl.col("USUBJID").is_not_null(),
                ctx,
                severity="error",
                rule="usubjid-in-dm",
                message="is not a subject in DM",
                variable="USUBJID",
                value=pl.col("USUBJID"),
                hint="every USUBJID needs its DM record; check for typos",
            )
        )
    if "ex" in study:
        parts.extend(_ex_within_study(study))
    if "tr" in study and "tu" in study:
        parts.extend(_tr_links(study))
    if "rs" in study and "tr" in study:
        parts.extend(_rs_tr_visits(study))
    return parts


def _date10(name: str) -> pl.Expr:
    """The complete date part of an ISO 8601 value, or null when partial."""
    d = pl.col(name).str.slice(0, 10)
    return pl.when(d.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(d)


def _ex_within_study(study: Study) -> list[pl.DataFrame]:
    ex, dm = study["ex"], study["dm"]
    start_var = next((v for v in ("RFXSTDTC", "RFSTDTC") if v in dm.columns), None)
    end_var = "RFPENDTC" if "RFPENDTC" in dm.columns else None
    if (start_var is None and end_var is None) or "USUBJID" not in ex.columns:
        return []
    ref = dm.select(
        "USUBJID",
        (_date10(start_var) if start_var else pl.lit(None, pl.String)).alias("__start__"),
        (_date10(end_var) if end_var else pl.lit(None, pl.String)).alias("__end__"),
    ).unique("USUBJID", keep="first")
    ctx = study.context("ex")
    frame = _idx(ex).join(ref, on="USUBJID", how="left")
    out = []
    for var in ("EXSTDTC", "EXENDTC"):
        if var not in frame.columns:
            continue
        d = _date10(var)
        out.append(
            findings_frame(
                frame,
                d.is_not_null() & pl.col("__start__").is_not_null() & (d < pl.col("__start__")),
                ctx,
                severity="error",
                rule="ex-within-study",
                message=pl.format(f"is before the subject's DM.{start_var} {{}}", "__start__"),
                variable=var,
                value=pl.col(var),
                hint=f"a dose cannot precede the first treatment date in DM ({start_var})",
            )
        )
        out.append(
            findings_frame(
                frame,
                d.is_not_null() & pl.col("__end__").is_not_null() & (d > pl.col("__end__")),
                ctx,
                severity="error",
                rule="ex-within-study",
                message=pl.format("is after the subject's DM.RFPENDTC {}", "__end__"),
                variable=var,
                value=pl.col(var),
                hint="a dose cannot follow the end of participation in DM (RFPENDTC)",
            )
        )
    return out


def _eval_keys(a: pl.DataFrame, pa: str, b: pl.DataFrame, pb: str) -> list[tuple[str, str]]:
    """Evaluator columns both frames have, to match records of the same reader."""
    return [
        (pa + s, pb + s) for s in ("EVAL", "EVALID") if pa + s in a.columns and pb + s in b.columns
    ]


def _tr_links(study: Study) -> list[pl.DataFrame]:
    tr, tu = study["tr"], study["tu"]
    if not {"USUBJID", "TRLNKID"} <= set(tr.columns) or not {"USUBJID", "TULNKID"} <= set(
        tu.columns
    ):
        return []
    ev = _eval_keys(tr, "TR", tu, "TU")
    left = ["USUBJID", "TRLNKID", *[a for a, _ in ev]]
    right = ["USUBJID", "TULNKID", *[b for _, b in ev]]
    keys = tu.select(right).unique()
    orphan = (
        _idx(tr)
        .filter(pl.col("TRLNKID").is_not_null())
        .join(keys, left_on=left, right_on=right, how="anti", nulls_equal=True)
    )
    who = " and " + "/".join(b for _, b in ev) if ev else ""
    return [
        findings_frame(
            orphan,
            pl.lit(True),
            study.context("tr"),
            severity="error",
            rule="tr-link-in-tu",
            message=f"has no lesion in TU (no TULNKID for this subject{who})",
            variable="TRLNKID",
            value=pl.col("TRLNKID"),
            hint="each measured lesion must be identified in TU with TULNKID = TRLNKID",
        )
    ]


def _rs_tr_visits(study: Study) -> list[pl.DataFrame]:
    rs, tr = study["rs"], study["tr"]
    need = {"USUBJID", "VISITNUM"}
    if not need <= set(rs.columns) or not need <= set(tr.columns) or "RSTESTCD" not in rs.columns:
        return []
    ev = _eval_keys(rs, "RS", tr, "TR")
    rs_keys = ["USUBJID", "VISITNUM", *[a for a, _ in ev]]
    tr_keys = ["USUBJID", "VISITNUM", *[b for _, b in ev]]
    responses = _idx(rs).filter(pl.col("RSTESTCD").is_in(list(_RESPONSE_TESTS)))
    # Work on distinct visits (a few per subject), not on every measurement.
    tr_visits = tr.select(tr_keys).unique()
    no_tr = responses.join(
        tr_visits, left_on=rs_keys, right_on=tr_keys, how="anti", nulls_equal=True
    )
    rs_visits = responses.select(rs_keys).unique()
    # Baseline measurements have no response (RECIST 1.1): skip each reader's first TR visit.
    readers = ["USUBJID", *[b for _, b in ev]]
    lonely = (
        tr_visits.join(rs_visits, left_on=tr_keys, right_on=rs_keys, how="anti", nulls_equal=True)
        .join(
            tr_visits.group_by(readers).agg(pl.col("VISITNUM").min().alias("__first__")),
            on=readers,
            how="left",
            nulls_equal=True,
        )
        .filter(pl.col("VISITNUM") != pl.col("__first__"))
        .drop("__first__")
    )
    # One finding per TR visit (its first row), not per measurement.
    no_rs = (
        _idx(tr)
        .join(lonely, on=tr_keys, how="semi", nulls_equal=True)
        .group_by(tr_keys, maintain_order=True)
        .agg(pl.col("__row__").min(), pl.len())
        if lonely.height
        else _idx(tr).head(0).with_columns(len=pl.lit(0, pl.UInt32))
    )
    return [
        findings_frame(
            no_tr,
            pl.lit(True),
            study.context("rs"),
            severity="warning",
            rule="rs-visit-in-tr",
            message="has a response (" + "/".join(_RESPONSE_TESTS) + ") but no TR measurements "
            "at this visit",
            variable="VISITNUM",
            value=pl.col("VISITNUM"),
            hint="responses rest on measurements: check VISITNUM in RS and TR",
        ),
        findings_frame(
            no_rs,
            pl.lit(True),
            study.context("tr"),
            severity="warning",
            rule="tr-visit-in-rs",
            message=pl.format("has {} measurement(s) but no response in RS at this visit", "len"),
            variable="VISITNUM",
            value=pl.col("VISITNUM"),
            hint="derive the visit's response (oncotrial.recist) or check VISITNUM",
        ),
    ]
