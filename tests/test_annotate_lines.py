"""Far windows of a large JSON Lines stream (runtime.linewalk): the lines there are found by their line
ends and spanned as the stream's own spans() spans them, with the values the stream decoded."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import formatlens as fl
from formatlens.core.document import annotated_to
from formatlens.core.limits import current, sized_for
from formatlens.render.hexdump import WINDOW
from formatlens.render.tree import restrict, span_value_path
from formatlens.runtime import linewalk
from formatlens.runtime.annotate import WindowAnnotator, spans_of
from formatlens.ui import views

RECORDS = [{"id": i, "name": f"user {i} é", "tags": ["a", "b"][: i % 3], "more": {"n": [i, None]}} for i in range(3000)]


def _lines() -> bytes:
    """Lines written by json.dumps, with blank and whitespace-only lines between some and CRLF ends on others."""
    out = []
    for i, record in enumerate(RECORDS):
        out.append(json.dumps(record, ensure_ascii=False).encode() + (b"\r\n" if i % 97 == 3 else b"\n"))
        if i % 41 == 7:
            out.append(b"\n" if i % 2 else b" \t\r\n")
    return b"".join(out)


DATA = _lines()


@pytest.fixture(scope="module")
def stream() -> fl.Document:
    document = fl.load(DATA, filename="x.jsonl")
    assert [layer.kind for layer in document.layers] == ["json-lines"] and document.format == "json"
    return document


@pytest.fixture(params=[linewalk.MARK_STEP, 3000], ids=["marks-1MiB", "marks-3000"])
def annotator(stream, monkeypatch, request) -> WindowAnnotator:
    """An annotator of the stream in this process; its lines counted from marks MARK_STEP apart, or 3,000
    (the windows past the first marks count from them)."""
    monkeypatch.setenv("FORMATLENS_ISOLATE", "0")
    monkeypatch.setattr(linewalk, "MARK_STEP", request.param)
    lines = views._lines(stream)
    assert lines == (0, len(DATA))
    return WindowAnnotator(stream.data, stream.format, {}, lines)


def _whole(document: fl.Document) -> list:
    with sized_for(replace(current(), max_spans=10**9)):
        return sorted(document._spans_factory(), key=lambda s: (s.start, -s.end))


def _windows(size: int) -> list[tuple[int, int]]:
    # a window straddling lines in the middle, one inside one line, a blank line's, the last, past the end
    blank = DATA.index(b"\n\n") - 10
    return [
        (size // 2 - 100, size // 2 + WINDOW),
        (size // 3, size // 3 + 7),
        (blank, blank + 30),
        (size - WINDOW, size),
    ]


def test_a_far_window_of_json_lines_has_the_whole_streams_spans_there(stream, annotator):
    whole = _whole(stream)
    assert len(whole) == len(RECORDS) and whole[-1].label == f"line {len(RECORDS)}"
    for lo, hi in _windows(len(DATA)):
        (annotated,) = annotator([(lo, hi)])
        spans = spans_of(annotated)
        assert spans == restrict(whole, lo, hi)
        assert spans and spans[0].kind == "entry" and spans[0].label.startswith("line ")
    marks = annotator.checkpoints.context["jsonl.marks"]
    assert len(marks) == 1 if len(DATA) < linewalk.MARK_STEP else len(marks) > len(DATA) // 3100
    # each mark: where a line starts, and how many non-blank lines are before it
    assert marks == [(at, sum(1 for line in DATA[:at].splitlines() if line.strip())) for at, _ in marks]
    last = spans_of(annotator([(len(DATA) - 20, len(DATA))])[0])
    assert [(span.label, span.path) for span in last] == [(f"line {len(RECORDS)}", (len(RECORDS) - 1,))]


def test_several_windows_in_one_request_are_each_as_alone(stream, annotator):
    windows = _windows(len(DATA))
    together = [spans_of(annotated) for annotated in annotator(windows)]
    assert together == [spans_of(annotator([window])[0]) for window in windows]


def test_the_values_of_a_far_windows_lines_are_the_streams(stream, annotator):
    lo, hi = len(DATA) - 3 * WINDOW, len(DATA) - WINDOW
    (annotated,) = annotator([(lo, hi)])
    values = annotated[1]
    entries = [span for span in spans_of(annotated) if span.kind == "entry"]
    assert len(entries) > 10
    for span in entries:
        assert values[span.path] == stream.value[span.path[0]] == RECORDS[span.path[0]]
    # what a tree slice past the head asks for (values_from, read alone from the lines' bytes)
    asked = annotator.values(entries)
    assert {path: asked[path] for path in map(span_value_path, entries)} == {
        s.path: RECORDS[s.path[0]] for s in entries
    }


def test_a_cut_json_lines_stream_gets_its_rest_and_other_streams_do_not(stream):
    document = fl.load(DATA, filename="x.jsonl")
    document.limits = replace(current(), max_spans=500)
    assert document.details.get("spans_cut_at") is None and document.spans
    assert document.details["spans_cut_at"] == 500
    assert views._rest_from(document) == annotated_to(document.spans) > 0
    message = b"\x08\x01\x12\x05hello"
    framed = fl.load((len(message).to_bytes(4, "big") + message) * 2000)
    assert [layer.kind for layer in framed.layers] == ["u32be-prefixed"]
    framed.limits = replace(current(), max_spans=500)
    assert framed.spans and framed.details["spans_cut_at"] == 500
    assert views._lines(framed) is None and views._rest_from(framed) is None
