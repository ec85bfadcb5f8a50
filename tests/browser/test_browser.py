"""The app in a real browser: load, upload, select a span, convert and download, every page."""

import time

import formatlens as fl

from .conftest import ROOT, SHOTS


def settle(page, text: str | None = None) -> None:
    """Wait for Streamlit to finish a run (and for ``text``, when given)."""
    if text:
        page.get_by_text(text, exact=False).first.wait_for()
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    time.sleep(0.8)


def choose_source(page, name: str) -> None:
    """Pick a loader source; a click that lands while a run is still going is lost, so retry."""
    for _ in range(10):
        page.locator("[data-testid='stSidebar'] label", has_text=name).first.click()
        time.sleep(1.5)
        settle(page)
        checked = page.locator("[data-testid='stSidebar'] label", has_text=name).first.locator("input")
        if checked.count() == 0 or checked.is_checked():
            return


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def metric(page, label: str) -> str:
    block = page.locator("[data-testid='stMetric']", has_text=label).first
    return block.locator("[data-testid='stMetricValue']").inner_text()


def test_a_shared_link_is_the_first_request(page, server):
    # Runs first, on a server no session has used yet: the link must still go through app.py.
    page.goto(f"{server}/convert?sample=users.json&target=avro")
    settle(page, "What the target could not hold")
    assert page.locator("[data-testid='stSidebar']").get_by_text("Load data").is_visible()
    assert page.get_by_role("heading", name="Convert").is_visible()


def test_sample_link_opens_the_tree(page, server):
    page.goto(f"{server}/?sample=users.json")
    settle(page, "Detection confidence")
    assert metric(page, "Format") == "json"
    page.get_by_text('"Raimundo Llopis Hierro"').first.wait_for()
    shot(page, "1-inspect-tree")


def test_click_a_byte_selects_its_span(page, server):
    page.goto(f"{server}/?sample=users.bson")
    settle(page, "Detection confidence")
    page.get_by_role("tab", name="Hexdump").click()
    byte = page.locator(".hexview [data-o='5']").first  # inside the key 'items'
    byte.wait_for()
    byte.click()
    settle(page, "Selected:")
    assert page.locator(".hexview .sel").count() >= 6  # the 6 bytes of b"items\0", in hex and ASCII
    selected = page.locator("[data-testid='stMarkdownContainer']", has_text="Selected:").first.inner_text()
    assert "key 'items'" in selected
    shot(page, "2-inspect-hexdump-selected")


def test_upload_through_the_file_input(page, server):
    page.goto(server)
    settle(page, "Detection confidence")
    choose_source(page, "Upload")
    page.locator("[data-testid='stFileUploader']").first.wait_for()
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
        str(ROOT / "samples" / "training.cbor")
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].some(e => e.innerText === 'cbor')"
    )
    settle(page)
    assert metric(page, "Format") == "cbor"
    shot(page, "3-upload-cbor")


def test_malformed_upload_shows_an_error_with_its_offset(page, server):
    page.goto(server)
    settle(page, "Detection confidence")
    choose_source(page, "Paste text")
    page.get_by_role("textbox", name="Text").fill('{"name": "Ann", "tags": [1, 2,]}')
    page.keyboard.press("Control+Enter")
    settle(page, "Could not read")
    assert "at byte" in page.locator("[data-testid='stAlert']").first.inner_text()
    assert page.locator(".hexview .err").count() >= 1
    shot(page, "4-error-offset")


def test_findings_of_a_malicious_pickle(page, server):
    page.goto(f"{server}/?sample=runs-shell-command.pickle")
    settle(page, "Detection confidence")
    page.get_by_role("tab", name="Findings").click()
    settle(page, "runs a shell command")
    shot(page, "5-pickle-findings")


def test_parquet_schema_tab(page, server):
    page.goto(f"{server}/?sample=users.parquet")
    settle(page, "Detection confidence")
    page.get_by_role("tab", name="Schema").click()
    settle(page, "Column chunks")
    shot(page, "6-parquet-schema")


def test_convert_and_download(page, server):
    page.goto(f"{server}/convert?sample=users.json&target=avro")
    settle(page, "What the target could not hold")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download users.avro").click()
    data = download_info.value.path().read_bytes()
    document = fl.load(data)
    assert document.format == "avro" and len(document.value) == 100
    shot(page, "7-convert-avro")


def test_schemas_page(page, server):
    page.goto(f"{server}/schemas?sample=training.json")
    settle(page, "Inferred from the data")
    page.get_by_text("Compatible").first.wait_for()
    shot(page, "8-schemas")


def test_compare_page(page, server):
    page.goto(f"{server}/compare?sample=users.json")
    settle(page, "Size vs decode time")
    page.get_by_text("Scale: the tutorial").wait_for()
    page.locator("[data-testid='stVegaLiteChart'], .vega-embed").first.wait_for()
    settle(page)
    shot(page, "9-compare")


def test_format_guide(page, server):
    page.goto(f"{server}/guide")
    settle(page, "How the formats classify")
    page.get_by_text("Pros and cons").wait_for()
    page.get_by_role("heading", name="Apache Parquet").wait_for()
    settle(page)
    shot(page, "10-guide")


def test_pickle_lab(page, server):
    page.goto(f"{server}/pickle_lab?sample=runs-shell-command.pickle")
    settle(page, "Pickle lab")
    page.get_by_role("tab", name="Safety").click()
    settle(page, "fickling's second opinion")
    shot(page, "11-pickle-lab-safety")
