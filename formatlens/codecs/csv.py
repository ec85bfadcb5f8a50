"""CSV with the standard library's csv module.

The dialect (delimiter, quoting, line endings) and the header are sniffed;
text is UTF-8 (BOM allowed) with a Latin-1 fallback reported as a finding.
Values load as strings, as they are in the file; the schema lists the column
types a typed view may use, marked as inferred.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any, Literal

from formatlens.codecs.base import SNIFF_BYTES, Codec, Sniff
from formatlens.codecs.support.textpos import Text, decode_text
from formatlens.convert.adapt import to_jsonable
from formatlens.core.checkpoints import TOP, current_checkpoints
from formatlens.core.document import Document, Finding, Schema, Span, Traits
from formatlens.core.limits import check_records, current, current_window

DELIMITERS = ",;\t|"
QUOTING: dict[str, Literal[0, 1, 2, 3]] = {
    "minimal": csv.QUOTE_MINIMAL,
    "all": csv.QUOTE_ALL,
    "nonnumeric": csv.QUOTE_NONNUMERIC,
    "none": csv.QUOTE_NONE,
}
_TYPE_PATTERNS = (
    ("integer", re.compile(r"[-+]?\d+")),
    ("number", re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")),
    ("boolean", re.compile(r"(?i)true|false")),
    ("datetime", re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")),
    ("date", re.compile(r"\d{4}-\d\d-\d\d")),
)


_TEXT_BYTES = bytes(range(0x20, 0x100)) + b"\t\n\r\x0c"
"""Bytes text holds; bytes.translate(None, _TEXT_BYTES) leaves the control bytes."""


class CsvCodec(Codec):
    name = "csv"
    title = "CSV"
    media_type = "text/csv"
    extensions = (".csv", ".tsv")
    aliases = ("tsv",)
    traits = Traits(textual=True, schema_based=False, shape="tabular", orientation="row", portable=True)
    library = "python"
    summary = "Plain tables for spreadsheets and data exchange; every value is text."
    snippet = (
        "import csv, io\n"
        "out = io.StringIO(); w = csv.DictWriter(out, users[0].keys())\n"
        "w.writeheader(); w.writerows(users)"
    )
    sample = "users.csv"
    holds = frozenset()
    bad_input = (csv.Error, UnicodeDecodeError)
    bad_value = (csv.Error,)  # e.g. quoting "none" with a delimiter in a field and no escape
    choices = {
        "quoting": tuple(QUOTING),
        "delimiter": (",", ";", "\t", "|"),
        "lineterminator": ("\r\n", "\n"),
    }

    def sniff(self, data: bytes) -> Sniff:
        head = data[:SNIFF_BYTES]
        if b"\x00" in head or not head.strip():
            return Sniff(0.0, "empty or binary")
        if len(head.translate(None, _TEXT_BYTES)) * 100 > len(head):  # e.g. protobuf, whose tags 0x08 0x12 0x1a...
            return Sniff(0.0, "binary: more than 1% of its first bytes are control bytes")
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = head.decode("latin-1")
        if len(data) > SNIFF_BYTES:
            text = text[: text.rfind("\n") + 1]  # the last line may be cut
        if text.lstrip()[:1] in ("{", "[", "<"):
            return Sniff(0.0, "starts like JSON or XML")
        dialect = _sniff_dialect(text, None)
        try:
            rows = [row for row in islice(csv.reader(io.StringIO(text, newline=""), dialect), 20) if row]
        except csv.Error:
            return Sniff(0.0, "the csv reader refuses it")
        widths = {len(row) for row in rows}
        separator = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}.get(dialect.delimiter, "a separator")
        if len(rows) < 2 or len(widths) != 1:
            if len(rows) >= 2 and min(widths) > 1:
                spread = f"{min(widths)} to {max(widths)} fields"
                return Sniff(0.35, f"{len(rows)} lines split by {separator}, but into {spread}")
            return Sniff(0.0, "fewer than two lines of fields")
        width = widths.pop()
        if width > 1:
            return Sniff(0.8, f"{len(rows)} lines of {width} fields each, split by {separator}")
        return Sniff(0.2, f"{len(rows)} lines of one field each")

    def decode(self, data: bytes, *, delimiter: str | None = None, header: bool | None = None) -> Document:
        try:
            text, fell_back = decode_text(data, fallback="latin-1")
        except UnicodeDecodeError as exc:  # a UTF-16/32 BOM with broken content
            raise self.error(f"invalid text: {exc.reason}", offset=exc.start) from None
        findings = []
        if fell_back:
            findings.append(Finding("warning", "not valid UTF-8: read as Latin-1 (ISO-8859-1)", code="csv.latin-1"))
        dialect = _sniff_dialect(text.text, delimiter)
        rows = self._read(text, dialect)
        filled = [row for row in rows if row]
        trailing = len(filled) > 0 and all(len(row) > 1 and row[-1] == "" for row in filled)
        if trailing:
            # Excel and open-data exports end every line with the delimiter: an empty last column, not data.
            rows = [row[:-1] if row else row for row in rows]
            findings.append(
                Finding(
                    "info",
                    f"every line ends with the delimiter {dialect.delimiter!r}: the empty last column was dropped",
                    code="csv.trailing-delimiter",
                    subject=dialect.delimiter,
                )
            )
        if header is None:
            header = _has_header(text.text, dialect, rows)
        columns = (
            _column_names(rows[0])
            if header and rows
            else [f"column_{i + 1}" for i in range(max(map(len, rows), default=0))]
        )
        body = rows[1:] if header else rows
        records, ragged = _records(columns, body)
        if ragged:
            findings.append(
                Finding(
                    "warning",
                    f"{ragged} rows have a different number of fields than the header",
                    code="csv.ragged-rows",
                )
            )
        if not header:
            findings.append(
                Finding(
                    "info", "no header row detected: columns are named column_1, column_2, ...", code="csv.no-header"
                )
            )
        line_ending = "\r\n" if "\r\n" in text.text[:SNIFF_BYTES] else "\n"
        details = {
            "delimiter": dialect.delimiter,
            "quotechar": dialect.quotechar,
            "line_ending": line_ending,
            "header": header,
            "encoding": "latin-1" if fell_back else text.encoding,
            "bom": text.skip > 0,
            "rows": len(records),
            "columns": columns,
            "trailing_delimiter": trailing,  # every line's empty last column was dropped
        }

        document = self.document(
            data,
            value=records,
            spans_factory=lambda: self.row_spans(text, dialect, bool(header)),
            findings=findings,
            schema_factory=lambda: _column_schema(columns, records),
            details=details,
        )
        document.value_check = check_records  # flat records of strings (or None): counted without visiting them
        return document

    def row_spans(self, text: Text, dialect: type[csv.Dialect], header: bool) -> list[Span]:
        """One span per row (the header's its own kind). In a far window the rows before it are read (quotes
        may hold newlines): from the last checkpoint before it (core.checkpoints), which is a row's end
        the csv module found, noted as this walk passes over rows."""
        out, start, index, begin = [], text.skip, -1 if header else 0, 0
        window = current_window()
        marks = current_checkpoints() if window is not None else None
        if marks is not None and window is not None:
            at, resumed = marks.start(TOP, start, None, window[0])
            if resumed is not None:
                (begin, index), start = resumed, at
                text.known(begin, at)
        for row, end in self._rows_with_ends(text, dialect, begin):
            end_byte = text.byte_offset(end)
            if row and (window is None or not window.misses(start, end_byte)):
                label = "header row" if index < 0 else f"row {index + 1}"
                if index < 0:
                    out.append(Span(start, end_byte, "header", label))
                else:
                    out.append(Span(start, end_byte, "entry", label, (index,)))
            if row:  # blank lines hold no record
                index += 1
            start = end_byte
            if marks is not None:
                marks.note(TOP, start, (end, index))
            if len(out) > current().max_spans or (window is not None and window.past(start)):
                break  # one past max_spans: Document.spans cuts there and says so
        return out

    def far_walk(self, data: bytes, details: dict) -> tuple[Callable[[], list[Span]], Callable[[Span], Any]]:
        """A far window's walk of ``data``, whose decode gave ``details`` (runtime.annotate keeps them with its
        checkpoints), without decoding it again: the rows' spans (row_spans, from a checkpoint) and a
        function that gives a row span's record, read alone from its bytes (a span is one whole record)."""
        text, _fell_back = decode_text(data, fallback="latin-1")  # as decode() reads it
        dialect = _sniff_dialect("", details["delimiter"])
        columns, trailing = list(details["columns"]), bool(details["trailing_delimiter"])

        def record(span: Span) -> Any:
            raw = data[span.start : span.end].decode(text.encoding)
            row = next(csv.reader(io.StringIO(raw, newline=""), dialect, strict=False), [])
            if trailing and row:
                row = row[:-1]
            return _records(columns, [row])[0][0]

        return lambda: self.row_spans(text, dialect, bool(details["header"])), record

    def _read(self, text: Text, dialect: type[csv.Dialect]) -> list[list[str]]:
        try:
            return list(csv.reader(io.StringIO(text.text, newline=""), dialect, strict=False))
        except csv.Error:
            for _ in self._rows_with_ends(text, dialect):  # the slow pass finds where it breaks
                pass
            raise

    def _rows_with_ends(
        self, text: Text, dialect: type[csv.Dialect], begin: int = 0
    ) -> Iterator[tuple[list[str], int]]:
        """Each row with the character offset just past it (a second, slower pass, for spans), from the
        character ``begin`` on (a row's start)."""
        consumed = begin

        def lines() -> Iterator[str]:
            nonlocal consumed
            for line in io.StringIO(text.text[begin:] if begin else text.text, newline=""):
                consumed += len(line)
                yield line

        reader = csv.reader(lines(), dialect, strict=False)
        try:
            for row in reader:
                yield row, consumed
        except csv.Error as exc:
            raise self.error(
                f"line {reader.line_num}: {exc}",
                offset=text.byte_offset(consumed),
                hint="a field may hold a NUL byte or be over the csv module's field size limit",
            ) from None

    def encode(
        self,
        value: Any,
        *,
        delimiter: str = ",",
        quoting: str = "minimal",
        header: bool = True,
        lineterminator: str = "\r\n",
    ) -> bytes:
        if not (isinstance(value, list) and all(isinstance(row, dict) for row in value)):
            raise self.error("CSV holds a list of records (dicts)", hint="convert() flattens other shapes for you")
        columns = list(dict.fromkeys(key for row in value for key in row))
        out = io.StringIO()
        writer = csv.DictWriter(
            out,
            columns,
            delimiter=delimiter,
            quoting=QUOTING[quoting],
            lineterminator=lineterminator,
            escapechar="\\" if quoting == "none" else None,
        )
        if header:
            writer.writeheader()
        writer.writerows(value)
        return out.getvalue().encode("utf-8")

    def reshape(self, value: Any, losses: list[str]) -> Any:
        if isinstance(value, dict):
            lists = [key for key, child in value.items() if isinstance(child, list)]
            if len(value) == 1 and lists:
                losses.append(f"CSV holds one table: the rows are the list under {lists[0]!r}")
                value = value[lists[0]]
            else:
                losses.append("CSV holds a table: the object was written as a single row")
                value = [value]
        if not isinstance(value, list):
            losses.append("CSV holds a table: the value was written as a single cell")
            value = [{"value": value}]
        rows = []
        for item in value:
            if not isinstance(item, dict):
                item = {"value": item}
            rows.append(flatten(item, losses))
        return rows


def flatten(record: dict, losses: list[str], prefix: str = "") -> dict:
    """Nested records flattened to dotted column names; lists written as JSON text."""
    flat: dict = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _note(losses, f"nested field {name!r} flattened to {name}.<field> columns")
            flat.update(flatten(value, losses, name + "."))
        elif isinstance(value, list):
            _note(losses, f"list field {name!r} written as JSON text in one column")
            flat[name] = json.dumps(to_jsonable(value), ensure_ascii=False)
        else:
            flat[name] = value
    return flat


def _note(losses: list[str], sentence: str) -> None:
    if sentence not in losses and len(losses) < 50:
        losses.append(sentence)


def _sniff_dialect(text: str, delimiter: str | None) -> type[csv.Dialect]:
    """The dialect whose delimiter splits the first rows into the most, equally wide, columns."""

    class Sniffed(csv.excel):
        pass

    sample = text[: SNIFF_BYTES * 4]
    if len(text) > len(sample):
        sample = sample[: sample.rfind("\n") + 1]
    if delimiter:
        Sniffed.delimiter = delimiter
        return Sniffed
    best, best_score = ",", (-1, 0)
    for candidate in DELIMITERS:
        try:
            rows = [row for row in islice(csv.reader(io.StringIO(sample, newline=""), delimiter=candidate), 20) if row]
        except csv.Error:
            continue
        widths = [len(row) for row in rows]
        if not widths:
            continue
        consistent = sum(width == widths[0] for width in widths)
        score = (consistent if widths[0] > 1 else 0, widths[0])
        if score > best_score:
            best, best_score = candidate, score
    Sniffed.delimiter = best
    return Sniffed


def _has_header(text: str, dialect: type[csv.Dialect], rows: list[list[str]]) -> bool:
    """A first row of distinct, non-empty, non-numeric cells is taken as the header."""
    if not rows:
        return False
    first = rows[0]
    return len(set(first)) == len(first) and all(cell.strip() and not _looks_numeric(cell) for cell in first)


def _looks_numeric(cell: str) -> bool:
    return bool(_TYPE_PATTERNS[1][1].fullmatch(cell.strip()))


def _column_names(row: list[str]) -> list[str]:
    names, seen = [], set()
    for i, cell in enumerate(row):
        name = cell or f"column_{i + 1}"
        while name in seen:
            name += "_"
        seen.add(name)
        names.append(name)
    return names


def _records(columns: list[str], rows: list[list[str]]) -> tuple[list[dict], int]:
    width = len(columns)
    if all(len(row) == width for row in rows):  # the usual case, at comprehension speed
        return [dict(zip(columns, row)) for row in rows], 0
    records: list[dict[str, str | None]] = []
    ragged = 0
    for row in rows:
        if len(row) != width:
            if row == []:
                continue  # a blank line
            ragged += 1
            extra = [f"column_{i + 1}" for i in range(width, len(row))]
            columns_here = columns + extra
            record: dict[str, str | None] = dict(zip(columns_here, row))
            for name in columns[len(row) :]:
                record[name] = None
        else:
            record = dict(zip(columns, row))
        records.append(record)
    return records, ragged


def infer_column_type(values: list[str | None]) -> str:
    """The narrowest type every non-empty value fits: integer, number, boolean, datetime, date or string."""
    present = [v.strip() for v in values if v is not None and v.strip()]
    if not present:
        return "empty"
    for name, pattern in _TYPE_PATTERNS:
        if all(pattern.fullmatch(v) for v in present):
            return name
    return "string"


def _column_schema(columns: list[str], records: list[dict], sample: int = 1000) -> Schema:
    head = records[:sample]
    types = {name: infer_column_type([row.get(name) for row in head]) for name in columns}
    text = "\n".join(f"{name}: {kind}" for name, kind in types.items())
    return Schema("csv-columns", text, {"columns": types, "inferred": True, "sampled_rows": len(head)})


codec = CsvCodec()
