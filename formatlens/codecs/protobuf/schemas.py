"""Protocol Buffers schemas as people have them: .proto text, several .proto files that import each other
(a dict of name -> text, or a zip), or a binary FileDescriptorSet (``protoc -o``, ``buf build``).

Bytes that are none of these are refused with a FormatError, never a traceback.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.message import DecodeError

from formatlens.core.errors import FormatError
from formatlens.core.limits import current

MAX_FILES = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def source_files(schema: str | bytes | dict) -> dict[str, str] | bytes:
    """The .proto files of ``schema`` (name -> text), or the bytes of a FileDescriptorSet."""
    if isinstance(schema, dict):
        return {str(name): _text(text, str(name)) for name, text in schema.items()}
    if isinstance(schema, str):
        return {"schema.proto": schema}
    if schema.startswith(b"PK\x03\x04"):
        return _zip(schema)
    try:
        text = schema.decode("utf-8")
    except UnicodeDecodeError:
        return schema  # binary: a FileDescriptorSet, checked when it is read
    if _CONTROL.search(text[:65536]):  # .proto text has no control characters; a descriptor set has many
        return schema
    return {"schema.proto": text}


def _text(text: Any, name: str) -> str:
    if isinstance(text, bytes):
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _error(f"{name} is not UTF-8 text (byte {exc.start})") from None
    return str(text)


def _zip(data: bytes) -> dict[str, str]:
    limit = current().max_input_bytes
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.endswith(".proto")]
        if len(members) > MAX_FILES:
            raise _error(f"the zip holds {len(members)} .proto files; at most {MAX_FILES} are read")
        if sum(m.file_size for m in members) > limit:
            raise _error("the zip's .proto files are larger than the input limit", hint="FORMATLENS_MAX_INPUT_BYTES")
        files = {}
        for member in members:
            name = posixpath.normpath(member.filename)
            if name.startswith(("/", "..")) or "/../" in name:
                raise _error(f"the zip member {member.filename!r} points outside the archive")
            files[name] = _text(archive.read(member), name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise _error(f"the schema looks like a zip but cannot be read: {exc}") from None
    if not files:
        raise _error("the zip holds no .proto file")
    return files


def descriptor_set(data: bytes) -> tuple[descriptor_pool.DescriptorPool, list[str], str]:
    """A pool from a binary FileDescriptorSet, the messages of its files (well-known imports left out), and a
    summary to show as the schema's text."""
    try:
        files = descriptor_pb2.FileDescriptorSet.FromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise _error(f"the schema is neither .proto text nor a FileDescriptorSet ({exc})") from None
    # descriptor.proto is proto2: a name that is not UTF-8 comes back as bytes
    if not files.file or not all(isinstance(f.name, str) and f.name for f in files.file):
        raise _error("the schema is neither .proto text nor a FileDescriptorSet (no named files in it)")
    pool = descriptor_pool.DescriptorPool()
    present = {f.name for f in files.file}
    try:
        for file in files.file:
            for dependency in file.dependency:
                if dependency not in present:
                    _add_well_known(pool, dependency)
                    present.add(dependency)
            pool.Add(file)
    except FormatError:
        raise
    # What protobuf's pool raises for descriptors that do not fit together (duplicate or missing symbols).
    except (TypeError, KeyError, ValueError) as exc:
        raise _error(f"the FileDescriptorSet does not build: {exc}") from None
    own = [f for f in files.file if not f.name.startswith("google/protobuf/")]
    summary = "\n".join(
        [f"// FileDescriptorSet: {len(files.file)} files"]
        + [f"// {f.name}: package {f.package or '(none)'}, {len(f.message_type)} messages" for f in files.file]
    )
    return pool, messages_of(own), summary


def _add_well_known(pool: descriptor_pool.DescriptorPool, name: str) -> None:
    try:
        known = descriptor_pool.Default().FindFileByName(name)
    except KeyError:
        if name.startswith("google/protobuf/"):
            try:
                import importlib

                module = importlib.import_module("google.protobuf." + posixpath.basename(name)[:-6] + "_pb2")
                known = module.DESCRIPTOR
            except ImportError:
                known = None
        else:
            known = None
    if known is None:
        raise _error(
            f"the FileDescriptorSet imports {name!r} but does not hold it",
            hint="write it with protoc --include_imports (buf build includes imports)",
        )
    proto = descriptor_pb2.FileDescriptorProto()
    known.CopyToProto(proto)
    for dependency in proto.dependency:
        try:
            pool.FindFileByName(dependency)
        except KeyError:
            _add_well_known(pool, dependency)
    pool.Add(proto)


def messages_of(files: list[descriptor_pb2.FileDescriptorProto]) -> list[str]:
    """Full names of the messages the files declare, nested ones included, map entries left out."""
    messages: list[str] = []

    def collect(message_types: Any, scope: str) -> None:
        for message in message_types:
            if message.options.map_entry:
                continue
            messages.append(scope + message.name)
            collect(message.nested_type, scope + message.name + ".")

    for file in files:
        collect(file.message_type, f"{file.package}." if file.package else "")
    return messages


def _error(message: str, hint: str | None = None) -> FormatError:
    return FormatError(
        message,
        format="protobuf",
        hint=hint or "give .proto text, several .proto files (or a zip of them), or a FileDescriptorSet",
    )
