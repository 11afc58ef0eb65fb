"""Reading and writing a study folder: parquet, CSV, SAS XPT v5 and CDISC Dataset-JSON 1.1.

A study folder holds one file per domain, named by the domain in lower case (``dm.parquet``,
``ae.csv``, ``tr.xpt``, ``rs.json``). Writing goes to a temporary folder next to the target,
renamed into place only when every file is written: a failure never leaves a partial folder.

:func:`write_study` writes SDTM (conformed to the specs: text and numbers, dates as ISO 8601
text); :func:`write_datasets` writes frames as they are typed, with their metadata, which is how
ADaM keeps its dates: ``pl.Date`` is a SAS date (``DATE9.``) in XPT and a Dataset-JSON ``date``,
``pl.Datetime`` a SAS datetime (``DATETIME20.``) and a ``datetime``, ISO 8601 text in CSV.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from oncotrial._files import building_folder
from oncotrial.errors import InputError
from oncotrial.sdtm._formats import FileFormat
from oncotrial.sdtm._study import DomainSource, ExtraCheck, Study, validate_study

__all__ = [
    "FORMATS",
    "DatasetFile",
    "domain_files",
    "read_domain",
    "read_study",
    "write_datasets",
    "write_study",
]

#: File extension of each format (derived from :class:`FileFormat`).
FORMATS: dict[str, str] = {f.value: f.extension for f in FileFormat}

#: Dataset-JSON version written (CDISC Dataset-JSON 1.1, 2024).
DATASET_JSON_VERSION = "1.1.0"
#: Fixed creation time written when none is given, so that the same study gives the same bytes.
DEFAULT_CREATION_DATETIME = "2000-01-01T00:00:00"
# IBM 370 floating point (XPT v5 numbers): largest and smallest magnitudes.
_IBM_MAX, _IBM_MIN = 7.2e75, 5.4e-79
#: SAS formats of dates and datetimes (ADaM IG: numeric dates with a display format).
SAS_DATE_FORMAT, SAS_DATETIME_FORMAT = "DATE9.", "DATETIME20."
#: ISO 8601 text of dates and datetimes in CSV and Dataset-JSON (fractions of seconds if any).
ISO_DATE, ISO_DATETIME = "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%.f"


# ------------------------------------------------------------------------------------ reading


def read_domain(path: str | Path) -> tuple[pl.DataFrame, DomainSource]:
    """Read one domain file as it is (no type conformance), with where it came from.

    Parameters
    ----------
    path : str or Path
        ``.parquet``, ``.csv`` (UTF-8, header row, every value read as text), ``.xpt`` (SAS
        transport v5 or v8) or ``.json`` (CDISC Dataset-JSON 1.1).

    Returns
    -------
    (DataFrame, DomainSource)

    Raises
    ------
    InputError
        The file is missing, empty, of an unknown extension, or cannot be parsed.
    """
    path = Path(path)
    fmt = FileFormat.of_path(path)
    if fmt is None:
        raise InputError(
            "is not a domain file",
            file=str(path),
            hint="use .parquet, .csv, .xpt or .json (Dataset-JSON)",
        )
    if not path.is_file():
        raise InputError("does not exist", file=str(path))
    if path.stat().st_size == 0:
        raise InputError("is an empty file", file=str(path), hint="write the header at least")
    reader = {
        FileFormat.PARQUET: _read_parquet,
        FileFormat.CSV: _read_csv,
        FileFormat.XPT: _read_xpt,
        FileFormat.JSON: _read_json,
    }
    return reader[fmt](path)


def _unreadable(path: Path, fmt: str, exc: BaseException) -> InputError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(
        f"cannot be read as {fmt}: {detail}",
        file=str(path),
        hint=f"check that the file is a valid {fmt} file (re-export it)",
    )


def _read_parquet(path: Path) -> tuple[pl.DataFrame, DomainSource]:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for corrupt files
        raise _unreadable(path, "parquet", exc) from None
    return frame, DomainSource(str(path), FileFormat.PARQUET, 1)


def _read_csv(path: Path) -> tuple[pl.DataFrame, DomainSource]:
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except Exception as exc:
        raise _csv_problem(path) or _unreadable(path, "CSV (UTF-8)", exc) from None
    if frame.columns and frame.columns[0].startswith("\ufeff"):  # a BOM from Excel
        frame = frame.rename({frame.columns[0]: frame.columns[0].lstrip("\ufeff")})
    return frame, DomainSource(str(path), FileFormat.CSV, 2)


def _csv_problem(path: Path) -> InputError | None:
    """Find the line of a CSV file polars could not read, for a message a user can act on."""
    data = path.read_bytes()
    for i, line in enumerate(data.split(b"\n")):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return InputError(
                "is not UTF-8 text",
                file=str(path),
                row=i + 1,
                hint="save the file as UTF-8 (in Excel: CSV UTF-8)",
            )
    rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(rows, [])
    for i, row in enumerate(rows):
        if len(row) != len(header):
            return InputError(
                f"has {len(row)} fields, the header has {len(header)}",
                file=str(path),
                row=i + 2,
                hint="quote values that contain commas or line breaks",
            )
    return None


def _read_xpt(path: Path) -> tuple[pl.DataFrame, DomainSource]:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_xport(
            str(path), output_format="polars", disable_datetime_conversion=True
        )
    except Exception as exc:
        raise _unreadable(path, "SAS XPT", exc) from None
    # An all-missing numeric column comes back as text: cast by the file's own variable type.
    kinds = meta.readstat_variable_types or {}
    frame = frame.with_columns(
        pl.col(c).cast(pl.Float64) for c in frame.columns if kinds.get(c) == "double"
    )
    labels = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    types = {
        name: kind
        for name, sas_format in (meta.original_variable_types or {}).items()
        if kinds.get(name) == "double" and (kind := _sas_format_kind(sas_format or ""))
    }
    return frame, DomainSource(
        str(path), FileFormat.XPT, 1, labels, meta.file_label or None, types=types
    )


def _sas_format_kind(sas_format: str) -> str | None:
    """'date', 'datetime' or 'time' for a SAS display format of those (``DATE9.``), or None."""
    name = re.sub(r"[\d.]+$", "", sas_format.upper())
    for kind, names in _SAS_FORMATS.items():
        if name in names:
            return kind
    return None


_SAS_FORMATS = {
    "date": ("DATE", "E8601DA", "IS8601DA", "B8601DA", "YYMMDD", "MMDDYY", "DDMMYY"),
    "datetime": ("DATETIME", "E8601DT", "IS8601DT", "B8601DT"),
    "time": ("TIME", "E8601TM", "IS8601TM", "B8601TM", "TOD"),
}


_JSON_TYPES: dict[str, pl.DataType] = {
    "string": pl.String(), "integer": pl.Int64(), "double": pl.Float64(),
    "float": pl.Float64(), "decimal": pl.String(), "boolean": pl.Boolean(),
    "datetime": pl.String(), "date": pl.String(), "time": pl.String(), "URI": pl.String(),
}  # fmt: skip


def _read_json(path: Path) -> tuple[pl.DataFrame, DomainSource]:
    file = str(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _unreadable(path, "JSON", exc) from None
    if not isinstance(doc, dict) or "columns" not in doc or "rows" not in doc:
        raise InputError(
            "is not CDISC Dataset-JSON: no 'columns' and 'rows'",
            file=file,
            hint="Dataset-JSON 1.1 has datasetJSONVersion, itemGroupOID, name, columns, rows",
        )
    version = str(doc.get("datasetJSONVersion", ""))
    if not version.startswith("1.1"):
        raise InputError(
            "is not a Dataset-JSON version oncotrial reads",
            file=file,
            field="datasetJSONVersion",
            value=version or None,
            hint="write it as Dataset-JSON 1.1",
        )
    columns, rows = doc["columns"], doc["rows"]
    if not isinstance(columns, list) or not isinstance(rows, list):
        raise InputError("has 'columns' or 'rows' that are not lists", file=file)
    names: list[str] = []
    types: list[pl.DataType] = []
    labels: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for i, col in enumerate(columns):
        if not isinstance(col, dict) or "name" not in col:
            raise InputError(f"column {i + 1} has no name", file=file, field="columns")
        dtype = _JSON_TYPES.get(col.get("dataType", ""))
        if dtype is None:
            raise InputError(
                "is not a Dataset-JSON dataType",
                file=file,
                field=col["name"],
                value=col.get("dataType"),
                hint="use string, integer, double, float, decimal, boolean, date, datetime",
            )
        names.append(col["name"])
        types.append(dtype)
        if col.get("label"):
            labels[col["name"]] = col["label"]
        if col["dataType"] in ("date", "datetime", "time"):
            kinds[col["name"]] = col["dataType"]
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(names):
            raise InputError(
                f"has {len(row) if isinstance(row, list) else 'no'} values, "
                f"the columns are {len(names)}",
                file=file,
                row=i + 1,
                hint="each row of 'rows' lists one value per column, in order",
            )
    series = []
    for j, (name, dtype) in enumerate(zip(names, types, strict=True)):
        values = [row[j] for row in rows]
        try:
            s = pl.Series(name, values, dtype=dtype, strict=True)
        except Exception:
            bad = next(
                (i, v) for i, v in enumerate(values) if v is not None and not _fits(v, dtype)
            )
            raise InputError(
                f"is not of dataType {columns[j].get('dataType')}",
                file=file,
                row=bad[0] + 1,
                field=name,
                value=bad[1],
            ) from None
        if columns[j].get("dataType") == "decimal":  # decimals are JSON strings in 1.1
            s = s.cast(pl.Float64, strict=False)
        series.append(s)
    frame = pl.DataFrame(series) if series else pl.DataFrame()
    return frame, DomainSource(file, FileFormat.JSON, 1, labels, doc.get("label"), types=kinds)


def _fits(value: Any, dtype: pl.DataType) -> bool:
    if dtype == pl.String:
        return isinstance(value, str)
    if dtype == pl.Int64:
        return isinstance(value, int) and not isinstance(value, bool)
    if dtype == pl.Float64:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, bool)


def domain_files(folder: str | Path, format: FileFormat | str | None = None) -> dict[str, Path]:
    """The domain (or dataset) files of a folder: name (lower-case stem) -> path.

    Hidden files and other extensions are left out; with `format`, files of other formats too.

    Raises
    ------
    InputError
        `folder` is not a folder, `format` names no format, or a name has files of two
        formats.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            "is not a folder", file=str(folder), hint="give the folder holding dm.parquet etc."
        )
    fmt = None if format is None else FileFormat.parse(format)
    files: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        this = FileFormat.of_path(path)
        if this is None or (fmt is not None and this != fmt):
            continue
        key = path.stem.lower()
        if key in files:
            raise InputError(
                f"is given twice: {files[key].name} and {path.name}",
                file=str(folder),
                field=key,
                hint="keep one file per domain, or pass format= to choose",
            )
        files[key] = path
    return files


def read_study(
    folder: str | Path,
    *,
    format: FileFormat | str | None = None,
    domains: Sequence[str] | None = None,
    validate: bool = True,
    extra_checks: Sequence[ExtraCheck] = (),
) -> Study:
    """Read a study folder: one file per domain, conformed to the specs.

    Parameters
    ----------
    folder : str or Path
        Folder with ``dm.parquet``, ``ae.csv``, ... (hidden files and other extensions are
        ignored).
    format : FileFormat or {'parquet', 'csv', 'xpt', 'json'}, optional
        Read only files of this format (needed when a domain exists in two formats).
    domains : sequence of str, optional
        Read only these domains (``["dm", "rs"]``); each must exist.
    validate : bool, default True
        Run :func:`oncotrial.sdtm.validate_study` and raise its first error (warnings pass).
    extra_checks : sequence of callables, default ()
        Passed to :func:`oncotrial.sdtm.validate_study`.

    Returns
    -------
    Study

    Raises
    ------
    InputError
        Missing folder, no domain file, a domain twice, an unreadable file; with
        ``validate=True``, the first validation error (file, row, variable, value, hint).

    Notes
    -----
    Rows are reported as a user sees them: in CSV the header is row 1 and the first record
    row 2; in parquet, XPT and Dataset-JSON the first record is row 1.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import polars as pl
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "sdtm"
    >>> dm = pl.DataFrame({"STUDYID": ["S1", "S1"], "DOMAIN": ["DM", "DM"],
    ...     "USUBJID": ["S1-001", "S1-002"], "SUBJID": ["001", "002"], "SITEID": ["01", "01"],
    ...     "SEX": ["F", "MALE"], "COUNTRY": ["FRA", "FRA"], "AGE": [61, 70]})
    >>> [p.name for p in write_study({"dm": dm}, folder, format="csv")]
    ['dm.csv']
    >>> read_study(folder)
    Traceback (most recent call last):
    ...
    oncotrial.errors.InputError: .../sdtm/dm.csv:3: SEX: 'MALE' is not in codelist SEX
    hint: allowed: F, M, U, UNDIFFERENTIATED
    >>> read_study(folder, validate=False)["dm"]["AGE"].to_list()
    [61.0, 70.0]
    """
    folder = Path(folder)
    files = domain_files(folder, format)
    if domains is not None:
        wanted = [d.lower() for d in domains]
        missing = [d for d in wanted if d not in files]
        if missing:
            raise InputError(
                f"has no file for domain(s) {', '.join(missing)}",
                file=str(folder),
                hint=f"found: {', '.join(files) or 'none'}",
            )
        files = {d: files[d] for d in wanted}
    if not files:
        raise InputError(
            "holds no domain file",
            file=str(folder),
            hint="expected files such as dm.parquet, ae.csv, tr.xpt or rs.json",
        )
    frames: dict[str, pl.DataFrame] = {}
    sources: dict[str, DomainSource] = {}
    for key, path in files.items():
        frames[key], sources[key] = read_domain(path)
    study = Study.from_frames(frames, sources=sources)
    if validate:
        validate_study(study, extra_checks=extra_checks).raise_for_errors()
    return study


# ------------------------------------------------------------------------------------ writing


def _labels(study: Study, key: str, frame: pl.DataFrame) -> tuple[str, dict[str, str]]:
    spec = study.spec(key)
    src = study.sources.get(key)
    file_labels = dict(src.labels) if src is not None else {}
    labels = {}
    for name in frame.columns:
        if spec is not None and name in spec:
            labels[name] = spec[name].label
        else:
            labels[name] = file_labels.get(name, "")
    if spec is not None:
        ds_label = spec.label
    elif src is not None and src.dataset_label:
        ds_label = src.dataset_label
    else:
        ds_label = key.upper()
    return ds_label, labels


def _check_xpt(key: str, frame: pl.DataFrame, target: Path, labels: Mapping[str, str],
               ds_label: str) -> None:  # fmt: skip
    """XPT v5 limits, checked before anything is written (SAS TS-140)."""
    file = str(target)
    if len(key) > 8:
        raise InputError(
            "is longer than 8 characters: SAS XPT v5 dataset names hold 8",
            file=file,
            field="dataset name",
            value=key.upper(),
            hint="rename the domain (e.g. split names as SUPPQUAL does)",
        )
    if len(ds_label) > 40:
        raise InputError(
            "is longer than 40 characters (XPT v5 labels)",
            file=file,
            field="dataset label",
            value=ds_label,
        )
    for name, dtype in frame.schema.items():
        if len(name) > 8:
            raise InputError(
                "is longer than 8 characters: SAS XPT v5 variable names hold 8",
                file=file,
                field=name,
                hint="rename it (SDTMIG 3.4 section 4.2.1); or write parquet/Dataset-JSON",
            )
        if len(labels.get(name, "")) > 40:
            raise InputError(
                "is longer than 40 characters: SAS XPT v5 labels hold 40",
                file=file,
                field=f"{name} label",
                value=labels[name],
                hint="shorten the label",
            )
        if dtype == pl.String:
            for rule, mask, why, hint in (
                ("long", pl.col(name).str.len_bytes() > 200,
                 "is longer than 200 bytes: SAS XPT v5 character values hold 200",
                 "split the text into SUPP-- records (SDTMIG 3.4 section 4.5.3)"),
                ("ascii", ~pl.col(name).str.contains(r"^[\x00-\x7F]*$"),
                 "has non-ASCII characters: SAS XPT v5 holds ASCII text",
                 "write parquet or Dataset-JSON (UTF-8), or transliterate the text"),
            ):  # fmt: skip
                del rule
                bad = frame.select(pl.arg_where(mask.fill_null(False))).to_series()
                if bad.len():
                    i = int(bad[0])
                    value = frame[name][i]
                    raise InputError(
                        why, file=file, row=i + 1, field=name, value=value[:60], hint=hint
                    )
        elif dtype.is_float():
            absval = pl.col(name).abs()
            mask = (
                (absval > _IBM_MAX)
                | ((absval > 0) & (absval < _IBM_MIN))
                | pl.col(name).is_infinite()
            )
            bad = frame.select(pl.arg_where(mask.fill_null(False))).to_series()
            if bad.len():
                i = int(bad[0])
                raise InputError(
                    "is outside the range of SAS XPT v5 numbers (IBM floating point, "
                    "about 5.4e-79 to 7.2e75)",
                    file=file,
                    row=i + 1,
                    field=name,
                    value=frame[name][i],
                )


def _write_xpt(key: str, frame: pl.DataFrame, target: Path, labels: Mapping[str, str],
               ds_label: str, creation_datetime: str) -> None:  # fmt: skip
    import pyreadstat

    formats = {
        name: SAS_DATE_FORMAT if dtype == pl.Date else SAS_DATETIME_FORMAT
        for name, dtype in frame.schema.items()
        if dtype == pl.Date or dtype == pl.Datetime
    }
    pyreadstat.write_xport(
        frame,
        str(target),
        file_label=ds_label,
        column_labels={k: v for k, v in labels.items() if v},
        table_name=key.upper(),
        file_format_version=5,
        variable_format=formats or None,
    )
    _fix_xpt_timestamps(target, creation_datetime)


_XPT_STAMP_AT = (144, 160, 464, 480)  # created, modified: library and member headers


def _fix_xpt_timestamps(path: Path, creation_datetime: str) -> None:
    """Replace the write time in the XPT headers by `creation_datetime`, so that the same study
    gives the same bytes (SAS TS-140: ``ddMMMyy:hh:mm:ss`` at these offsets)."""
    import datetime as dt

    when = dt.datetime.fromisoformat(creation_datetime)
    stamp = when.strftime("%d%b%y:%H:%M:%S").upper().encode("ascii")
    with path.open("r+b") as fh:
        head = bytearray(fh.read(512))
        for at in _XPT_STAMP_AT:
            if re.fullmatch(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d", head[at : at + 16]):
                head[at : at + 16] = stamp
        fh.seek(0)
        fh.write(head)


def _json_text(key: str, ds: DatasetFile, creation_datetime: str) -> str:
    """A Dataset-JSON 1.1 file. Dates and datetimes are ISO 8601 text of dataType ``date`` and
    ``datetime``, with targetDataType ``integer`` (a SAS numeric date, as ADaM's ``*DT``) and
    the SAS displayFormat, as the standard defines for them."""
    from oncotrial import __version__

    frame, labels = ds.frame, ds.labels
    name = key.upper()
    columns = []
    for col, dtype in frame.schema.items():
        entry: dict[str, Any] = {
            "itemOID": f"IT.{name}.{col}",
            "name": col,
            "label": labels.get(col) or col,
        }
        if dtype == pl.String:
            entry["dataType"] = "string"
            longest = frame[col].str.len_bytes().max()
            entry["length"] = max(1, longest if isinstance(longest, int) else 0)
        elif dtype.is_integer():
            entry["dataType"] = "integer"
        elif dtype == pl.Date:
            entry |= {"dataType": "date", "targetDataType": "integer",
                      "displayFormat": SAS_DATE_FORMAT}  # fmt: skip
        elif dtype == pl.Datetime:
            entry |= {"dataType": "datetime", "targetDataType": "integer",
                      "displayFormat": SAS_DATETIME_FORMAT}  # fmt: skip
        else:
            entry["dataType"] = "double"
        if col in ds.keys:
            entry["keySequence"] = list(ds.keys).index(col) + 1
        columns.append(entry)
    study_oid = None
    if "STUDYID" in frame.columns and frame.height and frame["STUDYID"][0] is not None:
        study_oid = str(frame["STUDYID"][0])
    head: dict[str, Any] = {
        "datasetJSONCreationDateTime": creation_datetime,
        "datasetJSONVersion": DATASET_JSON_VERSION,
        "fileOID": f"oncotrial.{name}",
        "originator": "oncotrial",
        "sourceSystem": {"name": "oncotrial", "version": __version__},
    }
    if study_oid is not None:
        head["studyOID"] = study_oid
    head |= {
        "itemGroupOID": f"IG.{name}",
        "records": frame.height,
        "name": name,
        "label": ds.label,
        "columns": columns,
    }
    as_text = frame.with_columns(
        pl.col(pl.Date).dt.to_string(ISO_DATE), pl.col(pl.Datetime).dt.to_string(ISO_DATETIME)
    )
    rows = ",\n".join(json.dumps(r, ensure_ascii=False, allow_nan=False) for r in as_text.rows())
    text = json.dumps(head, ensure_ascii=False, indent=1)
    return text[:-2] + ',\n "rows": [\n' + rows + ("\n" if rows else "") + " ]\n}\n"


def _only_domain_files(folder: Path) -> bool:
    return all(
        p.is_file() and (FileFormat.of_path(p) is not None or p.name.startswith("."))
        for p in folder.iterdir()
    )


@dataclass(frozen=True, slots=True)
class DatasetFile:
    """A dataset as a file holds it: the frame, typed, and what the file says about it.

    Parameters
    ----------
    frame : DataFrame
        Columns of text, integers, floats, dates (``pl.Date``) and datetimes without time zone
        (``pl.Datetime``); all-null columns of no type are written as text.
    label : str
        Dataset label (XPT v5: at most 40 characters).
    labels : mapping of str to str
        Variable labels (XPT v5: at most 40 characters each). A variable without one has no
        label in XPT and its name as label in Dataset-JSON, where a label is required.
    keys : sequence of str
        Key variables, in order (Dataset-JSON ``keySequence``).
    """

    frame: pl.DataFrame
    label: str
    labels: Mapping[str, str] = field(default_factory=dict)
    keys: Sequence[str] = ()


def write_study(
    study: Study | Mapping[str, pl.DataFrame],
    folder: str | Path,
    *,
    format: FileFormat | str = FileFormat.PARQUET,
    overwrite: bool = False,
    creation_datetime: str = DEFAULT_CREATION_DATETIME,
) -> list[Path]:
    """Write a study folder, one file per domain, all or nothing.

    Parameters
    ----------
    study : Study or mapping of str to DataFrame
        The domains (frames are conformed to the specs first: dates are ISO 8601 text).
    folder : str or Path
        Target folder; its parent must exist.
    format : FileFormat or {'parquet', 'csv', 'xpt', 'json'}, default 'parquet'
        ``'xpt'`` is SAS transport v5 (variable labels from the spec, character lengths the
        longest value); ``'json'`` is CDISC Dataset-JSON 1.1.
    overwrite : bool, default False
        Replace an existing folder (only one that holds nothing but domain files).
    creation_datetime : str, default '2000-01-01T00:00:00'
        ``datasetJSONCreationDateTime`` of Dataset-JSON files and the created/modified stamps
        of XPT headers; fixed so that the same study gives the same bytes (pass the real time
        if your process needs it).

    Returns
    -------
    list of Path
        The files written, in domain order.

    Raises
    ------
    InputError
        An unknown format; the folder exists (without `overwrite`) or its parent does not; a
        frame whose values do not fit the spec's types; XPT v5 limits (names <= 8, labels <= 40,
        character values <= 200 bytes of ASCII). Nothing is written then.
    """
    fmt = FileFormat.parse(format)
    if not isinstance(study, Study):
        study = Study.from_frames(study)
    first_type_error = study.load_findings.filter(pl.col("severity") == "error")
    if first_type_error.height:
        from oncotrial.sdtm._report import Finding

        raise Finding(**first_type_error.row(0, named=True)).to_error()
    datasets = {}
    for key, frame in study.domains.items():
        ds_label, labels = _labels(study, key, frame)
        spec = study.spec(key)
        datasets[key] = DatasetFile(frame, ds_label, labels, spec.keys if spec else ())
    return write_datasets(
        datasets, folder, format=fmt, overwrite=overwrite, creation_datetime=creation_datetime
    )


def write_datasets(
    datasets: Mapping[str, DatasetFile],
    folder: str | Path,
    *,
    format: FileFormat | str = FileFormat.PARQUET,
    overwrite: bool = False,
    creation_datetime: str = DEFAULT_CREATION_DATETIME,
) -> list[Path]:
    """Write datasets as they are typed, one file each (``<name><extension>``), all or nothing.

    Dates and datetimes keep their type where the format has one: parquet as they are; XPT as
    SAS numeric dates (``DATE9.``) and datetimes (``DATETIME20.``); Dataset-JSON as ISO 8601
    text of dataType ``date`` / ``datetime`` with targetDataType ``integer`` and the SAS
    displayFormat; CSV as ISO 8601 text. Integers stay integers except in XPT (SAS has one
    numeric type).

    Parameters, result and errors as :func:`write_study`, which writes through this; a column
    of another type (boolean, time, list, struct, datetime with a time zone) is an error.
    """
    folder = Path(folder)
    fmt = FileFormat.parse(format)
    if not folder.parent.is_dir():
        raise InputError("does not exist", file=str(folder.parent), hint="create it first")
    if folder.exists():
        if not overwrite:
            raise InputError(
                "already exists", file=str(folder), hint="pass overwrite=True, or another folder"
            )
        if not folder.is_dir() or not _only_domain_files(folder):
            raise InputError(
                "holds files other than domain files: not replaced",
                file=str(folder),
                hint="write to a new folder",
            )
    ext = fmt.extension
    # Check everything before writing anything.
    plan = []
    for key, ds in datasets.items():
        target = folder / f"{key}{ext}"
        ds = DatasetFile(_writable(ds.frame, target), ds.label, ds.labels, ds.keys)
        if fmt == FileFormat.XPT:
            _check_xpt(key, ds.frame, target, ds.labels, ds.label)
        plan.append((key, ds))
    with building_folder(folder) as tmp:  # the old folder stays whole until the swap
        for key, ds in plan:
            path = tmp / f"{key}{ext}"
            if fmt == FileFormat.PARQUET:
                ds.frame.write_parquet(path)
            elif fmt == FileFormat.CSV:
                ds.frame.write_csv(path, date_format=ISO_DATE, datetime_format=ISO_DATETIME)
            elif fmt == FileFormat.XPT:
                _write_xpt(key, ds.frame, path, ds.labels, ds.label, creation_datetime)
            else:
                path.write_text(_json_text(key, ds, creation_datetime), encoding="utf-8")
    return [folder / f"{key}{ext}" for key, _ in plan]


def _writable(frame: pl.DataFrame, target: Path) -> pl.DataFrame:
    """The frame with all-null untyped columns as text; an error for a type not written."""
    for name, dtype in frame.schema.items():
        ok = (
            dtype in (pl.String, pl.Null, pl.Date)
            or dtype.is_integer()
            or dtype.is_float()
            or (isinstance(dtype, pl.Datetime) and dtype.time_zone is None)
        )
        if not ok:
            raise InputError(
                f"is of type {dtype}, which oncotrial does not write",
                file=str(target),
                field=name,
                hint="cast it to text, a number, a date or a datetime without time zone",
            )
    return frame.with_columns(pl.col(pl.Null).cast(pl.String))
