"""The layers breadcrumb on a Confluent Schema Registry message, in a real browser (with a screenshot)."""

from .conftest import SHOTS
from .test_browser import choose_source, metric, settle, shot


def test_breadcrumb_on_a_confluent_message(page, server, tmp_path):
    path = tmp_path / "order.bin"
    path.write_bytes(bytes.fromhex("000000002a00") + b"\x08\x05\x12\x03pen")
    page.goto(server)
    settle(page, "Detection confidence")
    choose_source(page, "Upload")
    page.locator("[data-testid='stFileUploader']").first.wait_for()
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
    page.get_by_text("confluent · 13 B").first.wait_for()
    settle(page)
    assert metric(page, "Format") == "protobuf"
    assert page.get_by_text("Schema for id 42").first.is_visible()
    page.get_by_text("confluent · 13 B").first.click()
    page.get_by_text("Layer 1: Confluent Schema Registry wire format").first.wait_for()
    settle(page)
    shot(page, "layers-confluent-breadcrumb")
    assert (SHOTS / "layers-confluent-breadcrumb.png").stat().st_size > 10_000


def test_an_outer_layer_s_bytes_in_the_inspector(page, server, tmp_path):
    """base64 text holding gzip holding JSON: the gzip layer's bytes (what base64 decoded) in the inspector."""
    import base64
    import gzip

    from .test_browser import clipped_metrics, inspector_ready, selected_offsets

    packed = gzip.compress(b'{"a": [1, 2]}', mtime=0)
    path = tmp_path / "blob.txt"
    path.write_bytes(base64.b64encode(packed))
    page.goto(server)
    settle(page, "Detection confidence")
    choose_source(page, "Upload")
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
    page.get_by_text("gzip ·").first.wait_for()
    settle(page)
    page.get_by_text("gzip ·").first.click()
    page.get_by_text("Layer 2: gzip").first.wait_for()
    settle(page)
    inspector_ready(page)
    assert clipped_metrics(page) == []  # "Detection confidence" says wrapped, in full
    layer = page.locator(".fl").first  # the layer's inspector comes before the document's
    assert layer.locator(".hex [data-o='0']").first.inner_text() == f"{packed[0]:02x}"  # 1f: gzip's magic
    layer.locator(".tree .n", has_text="gzip magic 1F 8B").first.click()
    settle(page)
    assert selected_offsets(page) == [0, 1]
    assert layer.locator(".what").inner_text().count("gzip magic") == 1
    trailer = layer.locator(".tree .n", has_text="CRC-32 and size").first
    assert trailer.locator(".rg").inner_text().startswith(f"{hex(len(packed) - 8)}–{hex(len(packed))}")
    shot(page, "layers-gzip-in-the-inspector")
