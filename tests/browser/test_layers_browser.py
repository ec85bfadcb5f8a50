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
