"""YAML in and out for protocols and scenarios, with errors that point at the file, the YAML
path and the line.

Part of the file layer beside :mod:`oncotrial.errors` and :mod:`oncotrial._files`, below every
subpackage: :mod:`oncotrial.protocol` and :mod:`oncotrial.sim` read their YAML through it.

PyYAML keeps the position of every node while composing; we walk the composed tree once to build
a map from YAML path (``regimen.agents[1].dose.per_kg``) to (line, column), refuse duplicate keys
(which PyYAML would silently resolve to the last one), then construct plain Python data and hand
it to pydantic. pydantic's error locations are translated back to YAML paths and lines.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from oncotrial._base import FieldCheckError
from oncotrial.errors import ProtocolError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


def yaml_path(loc: Loc) -> str:
    """``('regimen', 'agents', 1, 'dose')`` -> ``'regimen.agents[1].dose'``.

    Examples
    --------
    >>> yaml_path(("regimen", "agents", 1, "dose", "per_kg"))
    'regimen.agents[1].dose.per_kg'
    >>> yaml_path(())
    '(top level)'
    """
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _walk(node: yaml.Node, loc: Loc, marks: dict[Loc, tuple[int, int]], file: str) -> None:
    marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise ProtocolError(
                    f"duplicate key {key!r} (first given on line {seen[key]})",
                    file=file,
                    path=yaml_path((*loc, key)),
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                    hint="each key may appear once in a mapping; remove one of them",
                )
            seen[key] = key_node.start_mark.line + 1
            marks[(*loc, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, (*loc, key), marks, file)
            # the key's own line is what a reader looks for; keep it over the value's
            marks[(*loc, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*loc, i), marks, file)


def parse_yaml(text: str, *, file: str) -> tuple[Any, dict[Loc, tuple[int, int]]]:
    """Parse YAML text into plain data and a map from location to (line, column), both 1-based."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ProtocolError(
                "the file is empty", file=file, hint="a protocol is a YAML mapping with 'study:'"
            )
        marks: dict[Loc, tuple[int, int]] = {}
        _walk(node, (), marks, file)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ProtocolError(
            f"not valid YAML: {exc.problem or exc.context}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint="check indentation (spaces, not tabs) and that every 'key: value' has a colon",
        ) from None
    except yaml.YAMLError as exc:
        raise ProtocolError(f"not valid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    return data, marks


def _data_loc(loc: Loc, data: Any) -> Loc:
    """Drop the parts of a pydantic error location that are not in the data (union tags)."""
    out: list[str | int] = []
    cur = data
    for part in loc:
        found, child = _child(cur, part)
        if found:
            out.append(part)
            cur = child
        elif isinstance(cur, dict) and isinstance(part, str) and not _is_tag(part):
            out.append(part)  # a missing key: name it, point at its parent
            cur = None
        # else: a tag pydantic adds for a union member ('mg', 'simon_two_stage'): skip
    return tuple(out)


def _child(cur: Any, part: str | int) -> tuple[bool, Any]:
    """(True, cur[part]) when `part` is a key of the mapping or an index of the list `cur`."""
    if isinstance(cur, dict) and part in cur:
        return True, cur[part]
    if isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
        return True, cur[part]
    return False, None


def _is_tag(part: str) -> bool:
    """Tags pydantic puts in an error location for a member of a tagged union."""
    return part in {
        "mg", "per_kg", "per_m2", "simon_two_stage", "single_stage", "co_primary", "normal",
        "lognormal",
    }  # fmt: skip


def _items_failed(loc: Any, errors: list[Any]) -> bool:
    """Whether another error lies inside `loc` (an item of the list there failed)."""
    n = len(loc)
    return any(len(e["loc"]) > n and tuple(e["loc"][:n]) == tuple(loc) for e in errors)


def _did_you_mean(value: Any, expected: str) -> str | None:
    """``did you mean 'response_rate'?`` for a value close to one of the permitted ones."""
    choices = re.findall(r"'([^']*)'", expected)
    if not isinstance(value, str) or not choices:
        return None
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not close:  # a case or separator slip: 'Co_Primary' for 'co-primary'
        folded = {re.sub(r"[\W_]", "", c.lower()): c for c in choices}
        hit = folded.get(re.sub(r"[\W_]", "", value.lower()))
        close = [hit] if hit else []
    return f"did you mean {close[0]!r}?" if close else None


def nearest_mark(loc: Loc, marks: dict[Loc, tuple[int, int]]) -> tuple[int, int] | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in marks:
            return marks[loc[:cut]]
    return None


_HINTS = {
    "missing": "add this key",
    "literal_error": None,  # the message already lists the permitted values
    "greater_than": None,
    "float_parsing": "write a plain number, e.g. 25 or 2.5, without units",
    "int_parsing": "write a whole number, without units",
    "dose_kind": "e.g. 'dose: {mg: 25}', 'dose: {per_kg: 10}' or 'dose: {per_m2: 75}'",
    "model_type": "this should be a mapping of keys to values",
    "tuple_type": "this should be a list, e.g. [1, 8, 15]",
    "too_short": None,
}


def translate_validation_error(
    exc: ValidationError, data: Any, marks: dict[Loc, tuple[int, int]], file: str
) -> ProtocolError:
    errors: list[ProtocolError] = []
    raw = exc.errors(include_url=False)
    for e in raw:
        if e["type"] == "too_short" and _items_failed(e["loc"], raw):
            continue  # "should have at least 1 item": only because its items had errors
        loc = _data_loc(tuple(e["loc"]), data)
        msg = e["msg"]
        hint = _HINTS.get(e["type"])
        problem = e.get("ctx", {}).get("error")
        if e["type"] == "value_error" and isinstance(problem, FieldCheckError):
            # a model check that names the field at fault: point at that field's line
            loc = _data_loc((*tuple(e["loc"]), *problem.loc), data)
        if e["type"] == "literal_error":
            hint = _did_you_mean(e.get("input"), e.get("ctx", {}).get("expected", ""))
        if e["type"] == "unknown_key":
            loc = (*loc, e["ctx"]["key"])
            hint = e["ctx"]["hint"]
        elif e["type"] == "union_tag_invalid":
            key = str(e["ctx"]["discriminator"]).strip("'")
            loc = (*loc, key)
            msg = f"{e['ctx']['tag']!r} is not one of {e['ctx']['expected_tags']}"
            hint = _did_you_mean(e["ctx"]["tag"].strip("'"), str(e["ctx"]["expected_tags"]))
        elif e["type"] == "missing":
            msg = f"missing required key {loc[-1]!r}" if loc else "missing required key"
        elif e["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
        if (
            "input" in e
            and e["type"] not in ("missing", "unknown_key", "model_type")
            and not isinstance(e["input"], dict | list)
        ):
            msg = f"{msg} (got {e['input']!r})"
        mark = marks.get(loc) or nearest_mark(loc, marks)
        errors.append(
            ProtocolError(
                msg,
                file=file,
                path=yaml_path(loc),
                line=mark[0] if mark else None,
                column=mark[1] if mark else None,
                hint=hint,
            )
        )
    first = errors[0]
    return ProtocolError(
        first.message,
        file=first.file,
        path=first.path,
        line=first.line,
        column=first.column,
        hint=first.hint,
        errors=errors,
    )


def model_from_yaml(model: type[M], text: str, *, file: str) -> M:
    """Validate YAML text as `model`; any problem is a :class:`ProtocolError` with its line."""
    data, marks = parse_yaml(text, file=file)
    if not isinstance(data, dict):
        raise ProtocolError(
            f"the top level must be a mapping, not {type(data).__name__}",
            file=file,
            line=1,
            hint="a protocol starts with keys such as 'study:', 'regimen:'",
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise translate_validation_error(exc, data, marks, file) from None


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a file as UTF-8 text, turning OS errors into a user error."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProtocolError("no such file", file=str(p)) from None
    except IsADirectoryError:
        raise ProtocolError("is a folder, not a protocol file", file=str(p)) from None
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            f"not UTF-8 text (byte {exc.start})", file=str(p), hint="save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise ProtocolError(f"cannot be read: {exc.strerror}", file=str(p)) from None


def _plain(value: Any) -> Any:
    """Tuples to lists so that YAML shows plain sequences."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    """Short lists of scalars (``days: [1, 8, 15]``) in flow style, the rest in block style."""


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, dict | list) for v in value) and len(value) <= 12
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(list, _represent_list)

_LINE_BREAKS = {"\x85", "\u2028", "\u2029"}


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # YAML reads NEL, LS and PS as line breaks and C0/C1 controls are not printable: a plain or
    # single-quoted scalar would not read back the same, so such text goes double-quoted,
    # where the emitter escapes them ("\N", "\L", "\P", "\x01").
    special = any(
        c in _LINE_BREAKS or (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F
        for c in value
    )
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if special else None)


_Dumper.add_representer(str, _represent_str)


def model_to_yaml(model: BaseModel) -> str:
    """Dump a model to YAML: keys in model order, defaults left out, deterministic."""
    data = _plain(model.model_dump(mode="python", exclude_defaults=True, by_alias=True))
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def iter_locs(marks: dict[Loc, tuple[int, int]]) -> Iterator[str]:
    """The YAML paths of a parsed file, for diagnostics."""
    for loc in marks:
        yield yaml_path(loc)
