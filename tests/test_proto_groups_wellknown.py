"""proto2 groups and extensions, and Struct/Value/ListValue/Any, as protobuf's JSON mapping shows them.

The .proto files are compiled at run time by protoc (grpcio-tools) into a
FileDescriptorSet; the bytes are written by the protobuf library with message
classes from that set, in a pool of the test's own (not formatlens's).
"""

from __future__ import annotations

import datetime as dt

import pytest
from google.protobuf import json_format, message_factory, timestamp_pb2

import formatlens as fl
from tests.support.protoc import compiled_set

SEARCH = """syntax = "proto2";
package demo;
message Search {
  optional string query = 1;
  repeated group Result = 2 {
    optional string url = 3;
    optional int32 rank = 4;
  }
  optional group Meta = 5 { optional string who = 6; }
  extensions 100 to 199;
}
extend Search {
  optional string note = 100;
  repeated int32 tags = 101;
}
message Holder {
  extend Search { optional Holder back = 150; }
  optional string name = 1;
}
"""

DOC = """syntax = "proto3";
package wk;
import "google/protobuf/struct.proto";
import "google/protobuf/any.proto";
import "google/protobuf/timestamp.proto";
message Inner { string name = 1; int64 big = 2; google.protobuf.Timestamp at = 3; }
message Doc {
  google.protobuf.Struct meta = 1;
  google.protobuf.Value v = 2;
  google.protobuf.ListValue list = 3;
  google.protobuf.Any payload = 4;
  repeated google.protobuf.Any many = 5;
}
"""
FILES = {"search.proto": SEARCH, "doc.proto": DOC}
AT = dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """The descriptor set protoc writes, and a pool of the test's own built from it."""
    return compiled_set(tmp_path_factory.mktemp("proto"), FILES)


def _cls(pool, name):
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


def _search(pool) -> bytes:
    search = _cls(pool, "demo.Search")(query="q")
    first = search.result.add()
    first.url, first.rank = "https://a", 1
    search.result.add(url="https://b", rank=2)
    search.meta.who = "me"
    search.Extensions[pool.FindExtensionByName("demo.note")] = "hello"
    search.Extensions[pool.FindExtensionByName("demo.tags")].extend([7, 8])
    search.Extensions[pool.FindExtensionByName("demo.Holder.back")].name = "h"
    return search.SerializeToString()


SEARCH_VALUE = {
    "query": "q",
    "result": [{"url": "https://a", "rank": 1}, {"url": "https://b", "rank": 2}],
    "meta": {"who": "me"},
    "[demo.note]": "hello",
    "[demo.tags]": [7, 8],
    "[demo.Holder.back]": {"name": "h"},
}


def _doc(pool, unknown_any: bool = False) -> bytes:
    doc = _cls(pool, "wk.Doc")()
    doc.meta.update({"a": 1, "b": [True, None, "x"], "c": {"d": 2.5}})
    doc.v.string_value = "s"
    doc.list.extend([1, "two", None])
    inner = _cls(pool, "wk.Inner")(name="n", big=2**40)
    inner.at.FromDatetime(AT)
    doc.payload.Pack(inner)
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(AT)
    doc.many.add().Pack(stamp)
    if unknown_any:
        other = doc.many.add()
        other.type_url, other.value = "type.googleapis.com/other.Unknown", b"\x08\x01"
    return doc.SerializeToString()


@pytest.mark.parametrize("as_set", [False, True], ids=["proto-files", "descriptor-set"])
def test_groups_are_dicts_and_extensions_are_kept(compiled, as_set):
    descriptor_set, pool = compiled
    schema = descriptor_set if as_set else FILES
    document = fl.load(_search(pool), "protobuf", schema=schema, message="demo.Search")
    assert document.value == SEARCH_VALUE
    # the same names protobuf's own JSON mapping gives
    parsed = _cls(pool, "demo.Search").FromString(_search(pool))
    assert set(json_format.MessageToDict(parsed, descriptor_pool=pool)) == set(SEARCH_VALUE)
    (note,) = [f for f in document.findings if f.code == "protobuf.extension"]
    assert note.message.startswith("3 extensions set on demo.Search: demo.note, demo.tags, demo.Holder.back;")
    paths = {span.path for span in document.spans}
    assert {("[demo.note]",), ("[demo.tags]", 1), ("result", 0), ("meta",)} <= paths
    assert document.schema.details["tree"] == {
        "query": "string",
        "result []": {"url": "string", "rank": "int32"},
        "meta": {"who": "string"},
        "[demo.note]": "string",
        "[demo.tags] []": "int32",
        "[demo.Holder.back]": {"name": "string"},
    }


def test_groups_without_a_schema_are_nested_field_dicts(compiled):
    _set, pool = compiled
    document = fl.load(_search(pool), "protobuf")
    assert document.value == {
        "1": "q",
        "2": [{"3": "https://a", "4": 1}, {"3": "https://b", "4": 2}],
        "5": {"6": "me"},
        "100": "hello",
        "101": [7, 8],
        "150": {"1": "h"},
    }


def test_groups_and_extensions_convert_to_json_and_back_to_the_same_value(compiled):
    _set, pool = compiled
    data = _search(pool)
    as_json = fl.convert(data, "json", source="protobuf", schema=FILES, message="demo.Search")
    assert fl.load(as_json.data, "json").value == SEARCH_VALUE
    same = fl.convert(data, "protobuf", source="protobuf", schema=FILES, message="demo.Search")
    assert same.losses == []
    assert fl.load(same.data, "protobuf", schema=FILES, message="demo.Search").value == SEARCH_VALUE


def test_struct_value_list_value_and_any_through_the_json_mapping(compiled):
    _set, pool = compiled
    data = _doc(pool)
    document = fl.load(data, "protobuf", schema=FILES, message="wk.Doc")
    parsed = _cls(pool, "wk.Doc").FromString(data)
    assert document.value == {
        "meta": json_format.MessageToDict(parsed.meta),
        "v": "s",
        "list": [1.0, "two", None],
        "payload": {"@type": "type.googleapis.com/wk.Inner", "name": "n", "big": 2**40, "at": AT},
        "many": [{"@type": "type.googleapis.com/google.protobuf.Timestamp", "value": AT}],
    }
    assert document.value["meta"] == {"a": 1.0, "b": [True, None, "x"], "c": {"d": 2.5}}
    assert [f for f in document.findings if f.severity != "info"] == []
    same = fl.convert(data, "protobuf", source="protobuf", schema=FILES, message="wk.Doc")
    assert same.losses == []
    assert fl.load(same.data, "protobuf", schema=FILES, message="wk.Doc").value == document.value


def test_an_any_of_an_unknown_type_is_its_url_and_bytes_with_a_warning(compiled):
    _set, pool = compiled
    data = _doc(pool, unknown_any=True)
    document = fl.load(data, "protobuf", schema=FILES, message="wk.Doc")
    assert document.value["many"][1] == {"@type": "type.googleapis.com/other.Unknown", "value": b"\x08\x01"}
    (warning,) = [f for f in document.findings if f.code == "protobuf.any-unknown"]
    assert warning.severity == "warning" and "'other.Unknown', which is not declared in the schema" in warning.message
    same = fl.convert(data, "protobuf", source="protobuf", schema=FILES, message="wk.Doc")
    assert same.data == data and same.losses == []  # the value cannot say the Any's type: the bytes are copied


def test_a_varint_delimited_stream_written_by_protobuf_is_peeled(compiled):
    """writeDelimitedTo's framing (a varint length before each message), with protobuf's own varint encoder."""
    from google.protobuf.internal.encoder import _VarintBytes  # what protobuf's delimited writers use

    _set, pool = compiled
    search = _cls(pool, "demo.Search")
    messages = [search(query="q" * (i * 90), result=[{"rank": i}]).SerializeToString() for i in range(3)]
    assert len(messages[2]) > 127  # a two-byte length
    stream = b"".join(_VarintBytes(len(m)) + m for m in messages)
    document = fl.load(stream)
    assert document.format == "protobuf" and [layer.kind for layer in document.layers] == ["varint-delimited"]
    assert document.value == [{"1": "q" * (i * 90), "2": {"4": i}} for i in range(3)]
    typed = fl.load(stream, "protobuf", schema=FILES, message="demo.Search")
    assert typed.value == [{"query": "q" * (i * 90), "result": [{"rank": i}]} for i in range(3)]
