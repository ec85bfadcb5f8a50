"""The layers breadcrumb and the schema-by-id input in the app (streamlit's AppTest)."""

import base64
import gzip
import json

from .test_app import app  # noqa: F401 - the fixture

MESSAGE = bytes.fromhex("000000002a00") + b"\x08\x05\x12\x03pen"
PROTO = 'syntax = "proto3";\npackage shop;\nmessage Order { int64 id = 1; string item = 2; }\n'


def upload(at, name, data):
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader(key="upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception


def buttons(at):
    return {b.key: b for b in at.button if b.key}


def test_breadcrumb_of_a_confluent_message_and_its_schema_by_id(app):  # noqa: F811
    upload(app, "order.bin", MESSAGE)
    found = buttons(app)
    assert found["layer_0"].label.startswith("confluent · 13 B") and found["layer_inner"].label.startswith("protobuf")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Format"] == "protobuf"
    # the raw bytes match no format; the detection says the format was found by peeling, not "0%"
    assert metrics["Detection confidence"] == "wrapped"
    captions = [c.value for c in app.sidebar.caption]
    assert any("they are a wrapper. peeled confluent › protobuf" in c for c in captions), captions
    assert not any("No format recognised" in c for c in captions)
    assert any("Schema for id 42" in e.label for e in app.expander)
    found["layer_0"].click().run()  # framing bytes are in the inspector: the layer's range is selected
    assert app.session_state["selection"][:2] == (0, 13)
    app.text_area(key="schema_by_id_text").input(PROTO).run()
    buttons(app)["schema_by_id_apply"].click().run()
    assert not app.exception
    loaded = app.session_state["current"]
    assert loaded.document.value == {"id": 5, "item": "pen"}
    assert loaded.document.layers[0].details["message"] == "shop.Order"


def test_breadcrumb_of_base64_gzip_json_shows_outer_bytes(app):  # noqa: F811
    data = base64.b64encode(gzip.compress(json.dumps({"a": [1, 2]}).encode()))
    upload(app, "blob.txt", data)
    found = buttons(app)
    assert [found[k].label.split(" ·")[0] for k in ("layer_0", "layer_1", "layer_inner")] == ["base64", "gzip", "json"]
    found["layer_1"].click().run()
    assert not app.exception
    assert app.session_state["shown_layer"] == 1
    assert any("Layer 2: gzip" in c.value for c in app.caption)


def test_no_breadcrumb_for_bare_bytes(app):  # noqa: F811
    assert "layer_inner" not in buttons(app)
