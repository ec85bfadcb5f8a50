"""The descriptor of an inferred .proto, built in the process instead of by protoc.

An inferred schema is written as .proto text by ``formatlens.convert.infer.to_proto``
for people to read; compiling that text needs protoc in a subprocess (tens of
milliseconds), which every conversion to protobuf would pay. The same type tree
gives the FileDescriptorProto directly, exactly as protoc would build it from the
text (tests/test_fidelity_proto.py compares the two), so the text is compiled
without protoc and a later ``load(schema=text)`` finds it ready.
"""

from __future__ import annotations

import re

from google.protobuf import descriptor_pb2, descriptor_pool, duration_pb2, timestamp_pb2
from google.protobuf.descriptor_pb2 import FieldDescriptorProto as F

from formatlens.convert.infer import PROTO_SCALARS, Type, _camel

SCALAR_TYPES = {
    "bool": F.TYPE_BOOL,
    "int64": F.TYPE_INT64,
    "double": F.TYPE_DOUBLE,
    "string": F.TYPE_STRING,
    "bytes": F.TYPE_BYTES,
}
WELL_KNOWN = {
    "google.protobuf.Timestamp": ("google/protobuf/timestamp.proto", timestamp_pb2),
    "google.protobuf.Duration": ("google/protobuf/duration.proto", duration_pb2),
}


def json_name(name: str) -> str:
    """protoc's JSON name: underscores dropped, the letter after each one upper-cased."""
    return re.sub(r"_+([a-z0-9]?)", lambda m: m.group(1).upper(), name)


def build_file(
    node: Type, name: str = "Record", package: str = "formatlens.inferred"
) -> tuple[descriptor_pb2.FileDescriptorProto, list[str]]:
    """The FileDescriptorProto protoc makes of ``to_proto(node, name, package)``, and its message names
    (nested ones included, map entries left out), in declaration order."""
    file = descriptor_pb2.FileDescriptorProto(name="schema.proto", package=package, syntax="proto3")
    imports: set[str] = set()
    names: list[str] = []

    def message(target: descriptor_pb2.DescriptorProto, n: Type, full: str) -> None:
        names.append(full.lstrip("."))
        synthetic: list[str] = []
        for number, (field_name, child) in enumerate(n.fields.items(), start=1):
            field = target.field.add(name=field_name, number=number, json_name=json_name(field_name))
            if child.kind == "list":
                field.label = F.LABEL_REPEATED
                _type(field, child.item, field_name + "_item", target, full)
            elif child.kind == "map":
                entry_name = _camel(field_name) + "Entry"
                value_holder = descriptor_pb2.FieldDescriptorProto(name="value", number=2, json_name="value")
                _type(value_holder, child.item, field_name + "_value", target, full)
                entry = target.nested_type.add(name=entry_name)
                entry.options.map_entry = True
                entry.field.add(name="key", number=1, label=F.LABEL_OPTIONAL, type=F.TYPE_STRING, json_name="key")
                value_holder.label = F.LABEL_OPTIONAL
                entry.field.append(value_holder)
                field.label = F.LABEL_REPEATED
                field.type = F.TYPE_MESSAGE
                field.type_name = f"{full}.{entry_name}"
            else:
                field.label = F.LABEL_OPTIONAL
                _type(field, child, field_name, target, full)
                if child.optional and child.kind != "record":
                    field.proto3_optional = True
                    field.oneof_index = len(synthetic)
                    synthetic.append("_" + field_name)
        for oneof in synthetic:
            target.oneof_decl.add(name=oneof)

    def _type(field: F, n: Type, nested_name: str, parent: descriptor_pb2.DescriptorProto, full: str) -> None:
        if n.kind == "record":
            child_name = _camel(nested_name)
            nested = parent.nested_type.add(name=child_name)
            message(nested, n, f"{full}.{child_name}")
            field.type = F.TYPE_MESSAGE
            field.type_name = f"{full}.{child_name}"
            return
        scalar = PROTO_SCALARS[n.kind]
        if scalar in WELL_KNOWN:
            imports.add(WELL_KNOWN[scalar][0])
            field.type = F.TYPE_MESSAGE
            field.type_name = "." + scalar
        else:
            field.type = SCALAR_TYPES[scalar]

    root = file.message_type.add(name=name)
    message(root, node, f".{package}.{name}" if package else f".{name}")
    file.dependency.extend(sorted(imports))
    return file, names


def build_pool(file: descriptor_pb2.FileDescriptorProto) -> descriptor_pool.DescriptorPool:
    """A pool holding ``file`` and the well-known files it imports."""
    pool = descriptor_pool.DescriptorPool()
    for dependency in file.dependency:
        module = next(m for path, m in WELL_KNOWN.values() if path == dependency)
        proto = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(proto)
        pool.Add(proto)
    pool.Add(file)
    return pool
