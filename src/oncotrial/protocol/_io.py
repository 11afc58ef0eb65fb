"""Load protocols by bundled id or from a file; dump them to YAML; export the JSON Schema."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from oncotrial._files import write_file
from oncotrial._yaml import model_from_yaml, model_to_yaml, read_text
from oncotrial.errors import ProtocolError
from oncotrial.protocol._models import Protocol

_DATA = "oncotrial.protocol.data"


def bundled() -> list[str]:
    """Ids of the protocols that ship with oncotrial.

    Examples
    --------
    >>> bundled()
    ['example_docetaxel_simon', 'nct01010126']
    """
    return sorted(
        p.name.removesuffix(".yaml")
        for p in resources.files(_DATA).iterdir()
        if p.name.endswith(".yaml")
    )


def bundled_text(protocol_id: str) -> str:
    """The YAML text, comments included, of a bundled protocol."""
    key = protocol_id.strip().lower()
    if key not in bundled():
        raise ProtocolError(
            f"no bundled protocol {protocol_id!r}",
            hint=f"bundled protocols: {', '.join(bundled())}; or give a path to a YAML file",
        )
    return resources.files(_DATA).joinpath(f"{key}.yaml").read_text(encoding="utf-8")


def loads(text: str, *, file: str = "<string>") -> Protocol:
    """Parse and validate protocol YAML text.

    Raises
    ------
    ProtocolError
        With the file, YAML path, line and column of the first problem, and all the others.
    """
    return model_from_yaml(Protocol, text, file=file)


def load(source: str | os.PathLike[str]) -> Protocol:
    """Load a protocol: a bundled id (``"nct01010126"``) or the path of a YAML file.

    Parameters
    ----------
    source : str or PathLike
        A bundled id (see :func:`bundled`), case-insensitive, or a path. A string that names
        both an existing file and a bundled id is read as the file.

    Raises
    ------
    ProtocolError
        The file does not exist, is not valid YAML, or does not describe a valid protocol.

    Examples
    --------
    >>> load("NCT01010126").study.planned_enrollment
    59
    """
    path = Path(source)
    if path.is_file() or isinstance(source, os.PathLike) or path.suffix in (".yaml", ".yml"):
        return loads(read_text(path), file=str(path))
    key = str(source).strip().lower()
    if key in bundled():
        return loads(bundled_text(key), file=f"<bundled {key}>")
    raise ProtocolError(
        "neither a file nor a bundled protocol",
        file=str(source),
        hint=f"bundled protocols: {', '.join(bundled())}",
    )


def dumps(protocol: Protocol) -> str:
    """The protocol as YAML (defaults left out); ``loads(dumps(p)) == p``."""
    return "# oncotrial protocol, schema_version 1\n" + model_to_yaml(protocol)


def dump(protocol: Protocol, path: str | os.PathLike[str]) -> None:
    """Write the protocol as YAML to `path`, atomically."""
    write_file(path, dumps(protocol))


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a protocol file (draft 2020-12, as pydantic writes it)."""
    schema = Protocol.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "oncotrial protocol"
    return schema


def json_schema_text() -> str:
    """:func:`json_schema` as deterministic, indented JSON text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
