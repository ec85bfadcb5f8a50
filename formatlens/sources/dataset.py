"""A directory or glob of Parquet files (hive partitions such as ``year=2024/`` included) as one dataset.

Only the footers are read: each file's schema and row count, its partition values from its path,
the schema of the whole (unified), and which files' schemas differ from the most common one.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from formatlens.core.document import Document, Finding, Schema
from formatlens.core.errors import FormatError
from formatlens.sources.rangefile import RangeFile, remote_call

GLOB_CHARS = "*?["
MAX_FILES = 10_000


def is_dataset_path(path: str) -> bool:
    return any(ch in path for ch in GLOB_CHARS)


def partition_of(relative: str) -> dict[str, str]:
    """Hive partition values from a path relative to the dataset root: ``year=2024/m=1/x.parquet``."""
    return dict(part.split("=", 1) for part in posixpath.dirname(relative).split("/") if "=" in part)


def _files(fs: Any, path: str, name: str) -> tuple[str, list[dict]]:
    if is_dataset_path(path):
        root = path[: min(path.find(c) for c in GLOB_CHARS if c in path)].rsplit("/", 1)[0]
        found = remote_call(name, lambda: fs.glob(path, detail=True))
    else:
        root = path.rstrip("/")
        found = remote_call(name, lambda: fs.find(path, detail=True))
    files = [
        info
        for file, info in sorted(found.items())
        if info.get("type") != "directory"
        and not any(part.startswith(("_", ".")) for part in file[len(root) :].split("/") if part)
    ]
    if not files:
        raise FormatError(f"{name} holds no Parquet files", hint="give a directory or glob of .parquet files")
    if len(files) > MAX_FILES:
        raise FormatError(f"{name} holds {len(files):,} files; at most {MAX_FILES:,} are inspected at once")
    return root, files


def open_dataset(fs: Any, path: str, name: str) -> Document:
    from formatlens.codecs.parquet import ParquetCodec, read_footer

    root, infos = _files(fs, path, name)
    entries = []
    for info in infos:
        file_path = info["name"]
        relative = file_path[len(root) :].lstrip("/")
        footer = read_footer(RangeFile(fs, file_path, int(info["size"]), name=relative))
        arrow_schema = footer.metadata.schema.to_arrow_schema()
        entries.append(
            {
                "path": relative,
                "bytes": int(info["size"]),
                "rows": footer.metadata.num_rows,
                "row_groups": footer.metadata.num_row_groups,
                "partition": partition_of(relative),
                "schema": arrow_schema.remove_metadata(),
            }
        )
    counts = Counter(entry["schema"].to_string() for entry in entries)
    common_text = counts.most_common(1)[0][0]
    common = next(e["schema"] for e in entries if e["schema"].to_string() == common_text)
    differing = [e for e in entries if e["schema"].to_string() != common_text]
    findings = [
        Finding("warning", f"{e['path']} has a different schema: {_difference(common, e['schema'])}") for e in differing
    ]
    keys = list(dict.fromkeys(k for e in entries for k in e["partition"]))
    partitions = {k: sorted({e["partition"][k] for e in entries if k in e["partition"]}) for k in keys}
    try:
        unified = pa.unify_schemas([e["schema"] for e in entries], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        unified = common
        findings.append(Finding("danger", f"the files' schemas cannot be unified: {exc}"))
    fields = [f"{k}: string (hive partition)" for k in keys if k not in unified.names]
    text = unified.to_string(show_schema_metadata=False) + ("\n" + "\n".join(fields) if fields else "")
    files = [{k: v for k, v in e.items() if k != "schema"} for e in entries]
    schema = Schema(
        "arrow",
        text,
        {"files": files, "partitions": partitions, "differing_files": [e["path"] for e in differing]},
    )
    details = {
        "dataset": name,
        "files": len(entries),
        "rows": sum(e["rows"] for e in entries),
        "bytes": sum(e["bytes"] for e in entries),
        "partitions": partitions,
        "schemas": len(counts),
        "read_lazily": True,
    }

    def first_rows() -> pa.Table:
        first = infos[0]
        reader = pq.ParquetFile(RangeFile(fs, first["name"], int(first["size"])), buffer_size=64 * 1024)
        batch = next(reader.iter_batches(batch_size=100), None)
        table = pa.Table.from_batches([batch]) if batch is not None else reader.schema_arrow.empty_table()
        for key, value in entries[0]["partition"].items():
            if key not in table.column_names:
                table = table.append_column(key, pa.array([value] * table.num_rows, pa.string()))
        return table

    findings.insert(
        0,
        Finding(
            "info", f"a dataset of {len(entries)} Parquet files: the value shows the first rows of {entries[0]['path']}"
        ),
    )
    document = Document(
        "parquet",
        b"",
        value_factory=lambda: first_rows().to_pylist(),
        table_factory=first_rows,
        schema=schema,
        findings=findings,
        details=details,
    )
    document.bad_input = ParquetCodec.bad_input
    return document


def _difference(common: pa.Schema, other: pa.Schema) -> str:
    """What differs, field by field, as a person reads it."""
    notes = []
    for field in other:
        if field.name not in common.names:
            notes.append(f"adds {field.name} ({field.type})")
        elif common.field(field.name).type != field.type:
            notes.append(f"{field.name} is {field.type}, not {common.field(field.name).type}")
    notes += [f"lacks {f.name}" for f in common if f.name not in other.names]
    return "; ".join(notes) or "field order or nullability differs"
