"""Errors a user can act on: each names the file, line/record and field at fault."""

from __future__ import annotations


class TizimError(Exception):
    """Base for errors shown to users as a one-line message (no traceback)."""


class InputError(TizimError):
    """Bad input: a malformed file, record or field. Nothing was written."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.record = record
        self.field = field
        self.reason = message
        where = []
        if file:
            where.append(str(file))
        if line is not None:
            where.append(f"line {line}")
        if record:
            where.append(f"record {record}")
        if field:
            where.append(f"field {field}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class NotFound(TizimError):
    pass
