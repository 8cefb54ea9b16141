"""Where a template comes from: a `.bpt` file, or a row of `bizproc.workflow.template.list`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.bitrix.bpt import BptError, unpack_package
from compiler.bitrix.canonical import Header, document_type_of
from compiler.deploy.identity import read_marker, split_key

# For the file and for its decompressed data. Real templates are kilobytes, rarely a few
# megabytes; the limit keeps a hostile file from costing more than a bounded amount of memory.
MAX_FILE_BYTES = 16 * 1024 * 1024


@dataclass
class TemplateSource:
    package: Mapping[str | int, Any]  # TEMPLATE, PARAMETERS, VARIABLES, CONSTANTS, …
    origin: str  # for messages: a file name or "template 12"
    name: str | None = None  # NAME on the portal
    description: str | None = None  # DESCRIPTION without bpl's identity marker
    document_type: tuple[str, str, str] | None = None
    auto_execute: int | None = None
    workflow: str | None = None  # the .bpl name its identity marker gives
    suggested: str | None = None  # a name to use otherwise (a file's name)

    def header(self) -> Header:
        """Name, description, document type and autostart, for the canonical comparison."""
        module, entity, kind = self.document_type or ("", "", "")
        return Header(self.name or "", self.description or "", (module, entity, kind),
                      self.auto_execute or 0)

    def row(self) -> dict[str, Any]:
        """The template as a `template.list` row would hold it (what `plan` reads)."""
        row: dict[str, Any] = {key: self.package.get(key) for key in
                               ("TEMPLATE", "PARAMETERS", "VARIABLES", "CONSTANTS")}
        row["NAME"] = self.name or ""
        row["DESCRIPTION"] = self.description or ""
        row["DOCUMENT_TYPE"] = list(self.document_type or ("", "", ""))
        row["AUTO_EXECUTE"] = self.auto_execute or 0
        return row


def read_bpt(path: Path) -> TemplateSource:
    """A `.bpt` file; BptError (one sentence) when it is not a usable template."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BptError(f"not a Bitrix template (.bpt): the file is larger than "
                           f"{MAX_FILE_BYTES // (1024 * 1024)} MiB")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise BptError(f"cannot read the file: {error.strerror}") from None
    package = unpack_package(data, max_size=MAX_FILE_BYTES)
    return TemplateSource(package, str(path), suggested=path.stem)


def from_row(row: Mapping[str, Any], origin: str) -> TemplateSource:
    """A template as `template.list` returns it (TEMPLATE, PARAMETERS, … already decoded)."""
    description = row.get("DESCRIPTION")
    key, text = read_marker(description if isinstance(description, str) else None)
    auto = row.get("AUTO_EXECUTE")
    try:
        auto_execute = int(str(auto).strip() or 0) if auto is not None else None
    except ValueError:
        auto_execute = None
    document_type = document_type_of(row)
    package: dict[str | int, Any] = {
        k: row.get(k) for k in ("TEMPLATE", "PARAMETERS", "VARIABLES", "CONSTANTS")}
    name = row.get("NAME")
    return TemplateSource(package, origin, str(name) if name is not None else None, text,
                          document_type if all(document_type) else None, auto_execute,
                          split_key(key)[1] if key else None)
