"""Inferred .proto schemas are compiled in the process: the descriptor must be the one protoc makes of the text."""

from __future__ import annotations

import datetime as dt

import pytest
from google.protobuf import descriptor_pb2

import formatlens as fl
from formatlens.codecs.protobuf import codec as proto_codec
from formatlens.codecs.protobuf.inferred import build_file, json_name
from formatlens.convert.infer import for_proto, infer, to_proto

VALUES = [
    {"a": 1, "b": "x"},
    {"when": dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "took": dt.timedelta(seconds=3), "maybe": None, "f": 1.5},
    {"nested": {"deep": {"x": [1, 2]}}, "rows": [{"k": "v", "n": None}, {"k": "w"}], "blob": b"\x00"},
    {"counts": {"a b": 1, "c": 2}, "grid": [[1, 2], [3]], "maps": [{"x y": {"p q": 1}}]},
    {"snake_case_name": True, "_lead": 1, "x1_y2": "z", "list_of_maps": [{"1": 2}]},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_in_process_descriptor_equals_protocs(value):
    node = for_proto(infer(value).type)
    text = to_proto(node)
    proto_codec._compiled.clear()
    by_protoc = proto_codec.compile_proto(text)
    theirs = descriptor_pb2.FileDescriptorProto()
    by_protoc.pool.FindFileByName("schema.proto").CopyToProto(theirs)
    ours, names = build_file(node)
    assert ours == theirs, (text, ours, theirs)
    assert names == by_protoc.messages


def test_json_names_follow_protoc():
    assert [json_name(n) for n in ("snake_case", "_lead", "x1_y2", "a__b", "plain")] == [
        "snakeCase",
        "Lead",
        "x1Y2",
        "aB",
        "plain",
    ]


def test_conversion_to_protobuf_runs_no_protoc(monkeypatch):
    proto_codec._compiled.clear()

    def refuse(*args, **kwargs):
        raise AssertionError("protoc was run")

    monkeypatch.setattr(proto_codec.subprocess, "run", refuse)
    result = fl.convert_value({"a": [1, None, 3], "r": float("nan"), "when": dt.datetime(2024, 1, 1)}, "protobuf")
    back = fl.load(result.data, "protobuf", schema=result.schema.text, message=result.schema.details["message"])
    assert back.value["a"] == [1, 3]
    assert any("nulls inside the list were dropped" in loss for loss in result.losses)
