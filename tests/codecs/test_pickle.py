import collections
import datetime as dt
import decimal
import pickle
import uuid

import pytest

import formatlens as fl
from formatlens.codecs.pickle.unpickler import fast_rebuild, rebuild

PURE_DATA = {
    "ints": [0, -1, 255, 65536, 2**40, 2**100, -(2**70)],
    "floats": [0.5, -1e300],
    "text": "Zoë",
    "bytes": b"\x00\xff",
    "bytearray": bytearray(b"ab"),
    "none_bools": [None, True, False],
    "tuple": (1, (2, 3)),
    "set": {1, 2},
    "frozenset": frozenset({"a"}),
    "datetime": dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
    "naive": dt.datetime(2024, 1, 2),
    "date": dt.date(2020, 2, 29),
    "time": dt.time(12, 30),
    "delta": dt.timedelta(days=2, seconds=3),
    "decimal": decimal.Decimal("3.14159"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
    "counter": collections.Counter("aab"),
    "complex": 1 + 2j,
    1: "int key",
}


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pure_data_rebuilt_in_every_protocol(protocol):
    doc = fl.load(pickle.dumps(PURE_DATA, protocol=protocol))
    assert doc.format == "pickle"
    assert doc.value == PURE_DATA
    assert doc.details["protocol"] == (protocol if protocol >= 2 else 0)
    assert [f.severity for f in doc.findings] == ["info"]


def test_shared_and_recursive_references():
    shared = [1]
    doc = fl.load(pickle.dumps([shared, shared]))
    assert doc.value[0] is doc.value[1]
    loop = []
    loop.append(loop)
    value = fl.load(pickle.dumps(loop)).value
    assert value[0] is value


class _System:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        import os

        return (os.system, (self.command,))


def test_reduce_is_shown_never_run(marker):
    doc = fl.load(pickle.dumps({"x": _System(f"touch {marker}")}, protocol=2))
    assert doc.value == {"x": {"!call": "posix.system", "args": [f"touch {marker}"]}}
    dangers = [f for f in doc.findings if f.severity == "danger"]
    assert [f.span.label for f in dangers] == ["GLOBAL posix.system", "REDUCE"]
    assert "runs a shell command" in dangers[0].message
    assert doc.data[dangers[0].span.start] == ord("c")  # the GLOBAL opcode byte


def test_opcode_spans_have_readable_labels():
    doc = fl.load(pickle.dumps({"name": 42}, protocol=4))
    labels = [s.label for s in doc.spans]
    assert "SHORT_BINUNICODE 'name'" in labels and "BININT1 42" in labels
    unicode_span = next(s for s in doc.spans if s.label == "SHORT_BINUNICODE 'name'")
    assert [c.kind for c in unicode_span.children] == ["opcode", "length", "value"]
    assert doc.data[unicode_span.children[2].start : unicode_span.children[2].end] == b"name"
    assert doc.spans[0].kind == "header" and doc.spans[-1].kind == "footer"


def test_stack_global_call():
    doc = fl.load(b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x031+1\x85R.")
    assert doc.value == {"!call": "builtins.eval", "args": ["1+1"]}
    assert "STACK_GLOBAL imports builtins.eval: evaluates Python source" in doc.findings[0].message


def test_protocol0_inst_and_objects():
    # INST (protocol 0) creates an object of a class named in the pickle.
    doc = fl.load(b"(S'ls'\nisubprocess\nPopen\np0\n.", "pickle")
    assert doc.value == {"!call": "subprocess.Popen", "args": ["ls"]}
    assert all("starts a process" in f.message for f in doc.findings if f.severity == "danger")


def test_dill_imports_are_flagged():
    data = b"\x80\x04\x8c\ndill._dill\x8c\x10_create_function\x93)R."
    doc = fl.load(data, "pickle")
    assert doc.findings[0].message.startswith("written by dill")
    assert any("dill._dill._create_function" in f.message for f in doc.findings if f.severity == "danger")


def test_trusted_names_are_downgraded_not_run():
    data = b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x031+1\x85R."
    doc = fl.load(data, "pickle", trusted=frozenset({"builtins.eval"}))
    assert {f.severity for f in doc.findings} == {"info"}
    assert doc.value["!call"] == "builtins.eval"


@pytest.mark.parametrize(
    "data,offset",
    [
        (b"\x80\x04K", 2),  # BININT1 without its byte
        (b"\x80\x04h\x05.", 2),  # BINGET of a memo entry never written
        (b"\x80\x04a.", 2),  # APPEND on an empty stack
        (b"\x80\x04", 2),  # no STOP
    ],
)
def test_malformed_pickles_refused_with_offset(data, offset):
    with pytest.raises(fl.FormatError) as info:
        fl.load(data, "pickle")
    assert info.value.offset == offset


@pytest.mark.parametrize("protocol", range(6))
def test_encode_protocols(protocol):
    data = fl.dump({"a": (1, 2)}, "pickle", protocol=protocol)
    assert pickle.loads(data) == {"a": (1, 2)}
    assert fl.load(data).value == {"a": (1, 2)}


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_stack_machine_and_fast_path_agree(protocol):
    # Pure data takes the C fast path; the stack machine must rebuild the same value.
    data = pickle.dumps(PURE_DATA, protocol=protocol)
    value, _imports, trailing = fast_rebuild(data)
    assert rebuild(data).value == value == PURE_DATA
    assert trailing == 0


def test_constructors_cannot_amplify_small_inputs():
    # bytes(10**12) would allocate a terabyte: refused by both paths, shown as a flagged call.
    data = b"\x80\x04\x8c\x08builtins\x8c\x05bytes\x93\x8a\x06\x00\x10\xa5\xd4\xe8\x00\x85R."
    doc = fl.load(data, "pickle")
    assert doc.value == {"!call": "builtins.bytes", "args": [10**12]}
    assert any(f.severity == "danger" for f in doc.findings)


def test_a_rebuilder_given_an_import_instead_of_text_shows_the_call():
    # _codecs.encode(<os.system>, "a"): the rebuilder gets a GlobalRef where text belongs (found by the
    # hostile mutation test); it is shown as the call it is, with its dangers, not a bug.
    doc = fl.load(b"c_codecs\nencode\n(X\x01\x00\x00\x00acos\nsystem\ntR.", "pickle")
    assert doc.value["!call"] == "_codecs.encode" and doc.value["args"][0] == "a"
    assert doc.value["args"][1] == {"!global": "os.system"}
    assert "pickle.global" in [f.code for f in doc.findings]
