import datetime as dt

import msgpack
import pytest

import formatlens as fl


def test_spans_header_length_payload():
    data = msgpack.packb({"bin": b"\x00" * 3, "n": 300})
    doc = fl.load(data)
    (top,) = doc.spans
    assert top.label == "map of 2" and top.children[0].label == "0x82 fixmap"
    key, binary, _, number = top.children[1:]
    assert key.kind == "key" and key.path == ("bin",)
    assert [c.kind for c in binary.children] == ["type", "length", "value"]
    assert number.label == "uint 16 300" and number.path == ("n",)


def test_timestamps_load_as_datetime():
    when = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    doc = fl.load(msgpack.packb({"t": when}, datetime=True))
    assert doc.value == {"t": when}
    assert doc.spans[0].children[2].label == "timestamp"


def test_int_keys_and_ext_types():
    doc = fl.load(msgpack.packb({1: msgpack.ExtType(5, b"xy")}, use_bin_type=True), "msgpack")
    assert doc.value == {1: msgpack.ExtType(5, b"xy")}


@pytest.mark.parametrize("data", [b"\xdd\xff\xff\xff\xff\x01", b"\x82\xa1a", b"\xc1"])
def test_bad_items_refused_with_offset(data):
    with pytest.raises(fl.FormatError) as info:
        fl.load(data, "msgpack")
    assert info.value.offset is not None


def test_encode_options():
    assert fl.dump(1.5, "msgpack", use_single_float=True) == b"\xca\x3f\xc0\x00\x00"
    assert fl.dump(b"x", "msgpack") == b"\xc4\x01x"


def test_refusal_names_the_byte_when_msgpack_says_nothing():
    # msgpack raises FormatError('') for the never-used 0xc1 byte: the message must still say why.
    with pytest.raises(fl.FormatError) as info:
        fl.load(bytes.fromhex("83a2696407a47461677392a178a179c1"), "msgpack")
    assert info.value.offset == 15
    assert info.value.message == "invalid MessagePack: 0xc1 is not a MessagePack header byte"


def test_a_refusal_past_the_walkers_span_budget_is_cheap_and_keeps_the_true_end(monkeypatch):
    # The walker that explains a refusal stops at the span budget (a 20 MB refusal used to build
    # gigabytes of spans); a cut-off item is then placed at the end of the data.
    monkeypatch.setenv("FORMATLENS_MAX_SPANS", "50")
    records = [{"id": i, "name": "x" * 5} for i in range(100)]
    data = msgpack.packb(records)[: -len(msgpack.packb(records[-1]))]  # the array's last record is missing
    with pytest.raises(fl.FormatError) as info:
        fl.load(data, "msgpack")
    assert info.value.offset == len(data)
    assert info.value.message == "invalid MessagePack: the data ends in the middle of an item"


def test_a_span_window_of_a_small_input_passes_over_items_before_it():
    # The window walk skips whole items with msgpack's Unpacker; its read size must fit a small input's
    # buffer (msgpack refuses read_size > max_buffer_size, which showed as a refusal of good data).
    from formatlens.render.tree import restrict
    from formatlens.runtime.annotate import window_spans

    data = b"".join(msgpack.packb({"id": i, "name": f"user {i}"}) for i in range(2000))
    assert len(data) < 1 << 16
    document = fl.load(data, "msgpack")
    start = len(data) // 2
    shown = window_spans(document, start, start + 64)
    assert shown == restrict(document.spans, start, start + 64) and shown


def test_a_span_window_whose_items_spend_the_span_budget_stops_there_as_a_whole_walk_does(monkeypatch):
    # The budget ran out inside an item that then claimed the rest of the data; its container went on to
    # pass over an item at the end of the data (msgpack: "No more data to unpack", a refusal of good data).
    from formatlens.runtime.annotate import window_spans

    monkeypatch.setenv("FORMATLENS_MAX_SPANS", "1000")
    data = msgpack.packb([[f"{i:03d}" for i in range(300)]] * 10)
    document = fl.load(data, "msgpack")
    shown = window_spans(document, 0, len(data))  # (the walk's budget counts items; Document.spans all spans)
    assert shown[0].label == document.spans[0].label == "array of 10 (annotation stopped)"
    assert shown[0].children[:2] == document.spans[0].children[:2]


def test_an_unreadable_key_is_named_by_its_first_bytes_only():
    # A key cut at the span budget claims the rest of the input, which is not one key: it is named in hex from
    # its first bytes (a sniff of a 45 MiB pickle wrote whole megabytes of such keys in hex).
    from formatlens.codecs.msgpack import _Walker
    from formatlens.codecs.support.binwalk import KEY_HEX_BYTES

    data = b"\x81" + msgpack.packb(list(range(5000))) + msgpack.packb(1)
    walker = _Walker(data)
    assert walker.key_of(1, len(data)) == f"{data[1 : 1 + KEY_HEX_BYTES].hex()}… ({len(data) - 1:,} bytes at 1)"
    assert walker.key_of(1, 3) == "dc13"  # a short one: all of it
    assert walker.key_of(1, len(data) - 1) == tuple(range(5000))  # a readable one: the key itself


def test_a_long_payloads_label_previews_it_as_the_whole_payload_would():
    # Labels are made from a payload's first bytes (binwalk.PREVIEW_BYTES), and read as if from all of them.
    from formatlens.codecs.support.binwalk import preview

    text, blob = "é" * 5000 + "end", bytes(range(256)) * 40
    (top,) = fl.load(msgpack.packb([text, blob]), "msgpack").spans
    assert [span.label for span in top.children[1:]] == [f"str {preview(text)}", f"bin {preview(blob)}"]
    # repr() picks its quotes from the whole value: a ' in the first bytes and a " past them (review R6)
    quoted = "it's " + "x" * 5000 + '"'
    (top,) = fl.load(msgpack.packb([quoted, quoted.encode()]), "msgpack").spans
    assert [span.label for span in top.children[1:]] == [f"str {preview(quoted)}", f"bin {preview(quoted.encode())}"]
    assert preview(quoted).startswith("'it\\'s")
