"""The app in a real browser: load, upload, select a span, convert and download, every page."""

import re
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


def clipped_metrics(page) -> list[str]:
    """Metric values cut with an ellipsis. Chrome cuts as soon as the text is wider than its box by any
    fraction of a pixel, so scrollWidth > clientWidth (both rounded) is the test, with no tolerance."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMetricValue"] div')]
            .filter(e => e.scrollWidth > e.clientWidth).map(e => e.innerText)"""
    )


def metric(page, label: str) -> str:
    block = page.locator("[data-testid='stMetric']", has_text=label).first
    return block.locator("[data-testid='stMetricValue']").inner_text()


def test_a_shared_link_is_the_first_request(page, server):
    # Runs first, on a server no session has used yet: the link must still go through app.py.
    page.goto(f"{server}/convert?sample=users.json&target=avro")
    settle(page, "What the target could not hold")
    assert page.locator("[data-testid='stSidebar']").get_by_text("Load data").is_visible()
    assert page.get_by_role("heading", name="Convert").is_visible()


def inspector_ready(page) -> None:
    """Wait until the inspector drew its tree (it lives in a shadow root: locators pierce it)."""
    page.locator(".fl .tree .n").first.wait_for()


def selected_offsets(page, cls: str = "sel") -> list[int]:
    """Offsets of the highlighted hex cells, read in one go once two reads agree (scrolling redraws)."""
    read = "(e, cls) => [...e.querySelectorAll('.b.' + cls)].map(b => Number(b.dataset.o))"
    last = None
    for _ in range(20):
        now = page.locator(".fl .hex").first.evaluate(read, cls)
        if now == last:
            return now
        last = now
        time.sleep(0.3)
    return last


def click_latency(page, selector: str) -> float:
    """Milliseconds from a click to the end of its handler (the highlight is drawn synchronously)."""
    return page.locator(selector).first.evaluate(
        "e => { const t0 = performance.now(); e.click(); return performance.now() - t0; }"
    )


def test_sample_link_opens_the_tree(page, server):
    page.goto(f"{server}/?sample=users.json")
    settle(page, "Detection confidence")
    assert metric(page, "Format") == "json"
    inspector_ready(page)
    first = page.locator(".fl .tree .n", has_text="[0] object of 5 members").first
    first.locator(".tw").click()  # open the first record, then its object: the typed members appear
    page.locator(".fl .tree .n", has_text="object of 5 members").nth(1).locator(".tw").click()
    name = page.locator(".fl .tree .n").filter(has=page.locator(".lb", has_text=re.compile("^name$"))).first
    assert name.locator(".ty").inner_text() == "str"
    assert name.locator(".pv").inner_text() == "'Raimundo Llopis Hierro'"
    shot(page, "1-inspect-tree")


def test_click_a_byte_reveals_its_node_and_a_node_selects_its_bytes(page, server):
    page.goto(f"{server}/?sample=users.bson")
    settle(page, "Detection confidence")
    inspector_ready(page)
    settle(page)  # a click that lands while the first run still echoes its selection would be undone
    byte_ms = click_latency(page, ".fl .hex [data-o='5']")  # inside the key 'items'
    settle(page)
    assert selected_offsets(page) == [5, 6, 7, 8, 9, 10]  # the 6 bytes of b"items\\0"
    assert page.locator(".fl .tree .n.sel .lb").inner_text() == "key 'items'"  # its node, revealed
    assert "key 'items'" in page.locator(".fl .what").inner_text()
    # deeper: a byte of the third record's name opens the tree down to that node
    click_latency(page, ".fl .hex [data-o='300']")
    settle(page)
    assert page.locator(".fl .tree .n.sel .pv").inner_text() == "'Kristina Baldwin'"
    node_ms = click_latency(page, ".fl .tree .n:has-text('document length 12097')")
    settle(page)
    assert selected_offsets(page) == [0, 1, 2, 3]
    print(f"click-to-highlight: byte -> node {byte_ms:.1f} ms, node -> bytes {node_ms:.1f} ms")
    shot(page, "2-inspect-byte-reveals-node")


def test_select_link_shows_both_byte_orders(page, server):
    page.goto(f"{server}/?sample=users.bson&select=0:4")
    settle(page, "Detection confidence")
    inspector_ready(page)
    u32 = page.locator(".fl .insp tr[data-t='u32']")
    u32.wait_for()
    size = len((ROOT / "samples" / "users.bson").read_bytes())
    assert int(u32.locator(".le").inner_text()) == size  # the BSON document length, little-endian
    assert int(u32.locator(".be").inner_text()) == int.from_bytes(size.to_bytes(4, "little"), "big")
    assert page.locator(".fl .insp tr[data-t='u8'] .v").inner_text() == str(size & 0xFF)
    assert page.locator(".fl .tree .n.sel .lb").inner_text() == f"document length {size}"
    shot(page, "3-inspect-select-link")


def test_a_datetime_in_all_three_panes(page, server):
    """The README picture: a BSON datetime selected by a link, its node, its bytes, and the data
    inspector reading the same 8 bytes as a Unix time in milliseconds."""
    data = (ROOT / "samples" / "users.bson").read_bytes()
    key = b"\x09registered_at\x00"
    start = data.index(key) + len(key)
    page.set_viewport_size({"width": 1920, "height": 1050})
    page.goto(f"{server}/?sample=users.bson&select={start}:{start + 8}")
    settle(page, "Detection confidence")
    inspector_ready(page)
    millis = int.from_bytes(data[start : start + 8], "little", signed=True)
    import datetime as dt

    expected = dt.datetime.fromtimestamp(millis / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert page.locator(".fl .insp tr[data-t='unix ms (i64)'] .le").inner_text().startswith(expected)
    assert page.locator(".fl .tree .n.sel .ty").inner_text().startswith("datetime")
    shot(page, "3b-inspect-datetime")


def test_find_next_and_copy(page, server):
    page.goto(f"{server}/?sample=users.bson")
    settle(page, "Detection confidence")
    inspector_ready(page)
    page.locator(".fl .find").fill("Kristina")
    page.locator(".fl .next").click()
    page.locator(".fl .msg", has_text="found at").wait_for()
    data = (ROOT / "samples" / "users.bson").read_bytes()
    at = data.find(b"Kristina")
    assert page.locator(".fl .msg").inner_text() == f"found at {hex(at)} ({at})"
    assert selected_offsets(page) == list(range(at, at + 8))
    page.locator(".fl .next").click()  # the next one: no second Kristina, so it wraps to the same place
    page.locator(".fl .copy-python").click()
    assert page.locator(".fl textarea.out").input_value() == "b'Kristina'"
    page.wait_for_url(f"**select={at}%3A{at + 8}**")  # the URL carries the selection
    shot(page, "4-inspect-find")


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
    shot(page, "6-upload-cbor")


def test_malformed_upload_shows_an_error_with_its_offset(page, server):
    page.goto(server)
    settle(page, "Detection confidence")
    choose_source(page, "Paste text")
    page.get_by_role("textbox", name="Text").fill('{"name": "Ann", "tags": [1, 2 3]}')
    page.keyboard.press("Control+Enter")
    settle(page, "Could not read")
    alert = page.locator("[data-testid='stAlert']").first.inner_text()
    assert "at byte 30" in alert
    inspector_ready(page)
    assert selected_offsets(page, "err") == [30]
    assert page.locator(".fl .tree .n.sel .lb").inner_text().startswith("error here:")
    read = page.locator(".fl .tree .n .lb").first.inner_text()
    assert read == "read before the error (30 bytes, 1 item of the map complete)"
    # the member completed before the error, with its value, and its bytes a click away
    page.locator(".fl .tree .n").first.locator(".tw").click()
    member = page.locator(".fl .tree .n", has_text="'name': 'Ann'").first
    assert member.locator(".ty").inner_text() == "str"
    shot(page, "5-error-partial-structure")
    member.locator(".lb").click()
    settle(page)
    assert selected_offsets(page) == list(range(1, 14))  # "name": "Ann"
    assert selected_offsets(page, "err") == [30]


def test_a_refused_msgpack_map_shows_the_pairs_read_before_the_error(page, server):
    import msgpack

    data = msgpack.packb({"id": 7, "tags": ["x", "y"], "z": 3})
    data = data[: data.index(b"\xa1z")] + b"\xc1"  # the third key replaced by a byte MessagePack never uses
    page.goto(f"{server}/?format=msgpack")  # detection does not name a broken MessagePack: chosen by hand
    settle(page, "Detection confidence")
    choose_source(page, "Paste hex/base64")
    page.get_by_role("textbox").last.fill(data.hex(" "))
    page.keyboard.press("Control+Enter")
    settle(page, "Could not read")
    inspector_ready(page)
    assert selected_offsets(page, "err") == [len(data) - 1] == selected_offsets(page)  # the offending byte, selected
    assert page.locator(".fl .tree .n .lb").first.inner_text().endswith("2 items of the map complete)")
    page.locator(".fl .tree .n").first.locator(".tw").click()
    tags = page.locator(".fl .tree .n", has_text="'tags':").first
    assert tags.locator(".ty").inner_text() == "list (2)"
    tags.locator(".tw").click()
    assert page.locator(".fl .tree .n", has_text="'y'").first.locator(".ty").inner_text() == "str"
    shot(page, "5b-error-msgpack-partial")


def test_findings_of_a_malicious_pickle(page, server):
    page.goto(f"{server}/?sample=runs-shell-command.pickle")
    settle(page, "Detection confidence")
    page.get_by_role("tab", name="Findings").click()
    settle(page, "runs a shell command")
    shot(page, "7-pickle-findings")


def test_parquet_schema_tab(page, server):
    page.goto(f"{server}/?sample=users.parquet")
    settle(page, "Detection confidence")
    page.get_by_role("tab", name="Schema").click()
    settle(page, "Column chunks")
    shot(page, "8-parquet-schema")


def test_convert_and_download(page, server):
    page.goto(f"{server}/convert?sample=users.json&target=avro")
    settle(page, "What the target could not hold")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download users.avro").click()
    data = download_info.value.path().read_bytes()
    document = fl.load(data)
    assert document.format == "avro" and len(document.value) == 100
    # the output in the same inspector as Inspect's: a byte of the sync marker reveals its node...
    inspector_ready(page)
    sync = next(s for s in document.spans if s.label.startswith("sync marker"))
    page.locator(f".fl .hex [data-o='{sync.start + 3}']").first.click()
    settle(page)
    assert selected_offsets(page) == list(range(sync.start, sync.end))
    assert page.locator(".fl .tree .n.sel .lb").inner_text() == sync.label
    # ...and a node selects its bytes, which the data inspector reads
    page.locator(".fl .tree .n:has-text('magic Obj')").first.click()
    settle(page)
    assert selected_offsets(page) == [0, 1, 2, 3]
    assert page.locator(".fl .insp tr[data-t='u32'] .le").inner_text() == str(int.from_bytes(data[:4], "little"))
    assert page.locator(".fl.compact").count() == 0  # the whole inspector here, not the compact one
    shot(page, "9-convert-avro")


def test_schemas_page(page, server):
    page.goto(f"{server}/schemas?sample=training.json")
    settle(page, "Inferred from the data")
    page.get_by_text("Compatible").first.wait_for()
    shot(page, "10-schemas")


def test_compare_page(page, server):
    page.goto(f"{server}/compare?sample=users.json")
    settle(page, "Size vs decode time")
    page.get_by_text("Scale: the tutorial").wait_for()
    page.locator("[data-testid='stVegaLiteChart'], .vega-embed").first.wait_for()
    settle(page)
    # the losses are sentences under the table (a cell cut them), each format's in full
    measured = {m.format: m.losses for m in fl.compare(fl.load((ROOT / "samples" / "users.json").read_bytes()).value)}
    listed = page.locator("[data-testid='stMarkdownContainer']", has_text="What each format could not hold").first
    listed.wait_for()
    section = page.locator("[data-testid='stMarkdownContainer'] ul").first.inner_text()
    for sentence in measured["xml"] + measured["bson"]:
        assert sentence in section
    shot(page, "11-compare")


def test_format_guide(page, server):
    page.goto(f"{server}/guide")
    settle(page, "How the formats classify")
    page.get_by_text("Pros and cons").wait_for()
    page.get_by_role("heading", name="Apache Parquet").wait_for()
    settle(page)
    shot(page, "12-guide")


def test_pickle_lab(page, server):
    page.goto(f"{server}/pickle_lab?sample=runs-shell-command.pickle")
    settle(page, "Pickle lab")
    page.get_by_role("tab", name="Safety").click()
    settle(page, "fickling's second opinion")
    # the first flagged opcode (GLOBAL posix.system, bytes 2-16) is selected in the inspector
    inspector_ready(page)
    assert selected_offsets(page) == list(range(2, 16))
    assert page.locator(".fl .tree .n.sel .lb").inner_text() == "GLOBAL posix.system"  # the opcode, not its first byte
    assert page.locator(".fl.compact").count() == 0  # the whole inspector here, not the compact one
    shot(page, "13-pickle-lab-safety")
    # choosing the REDUCE moves the selection there (a server-side selection the browser follows)
    page.get_by_label("Show in the hexdump").click()
    page.get_by_role("option", name="REDUCE @ 72").click()
    settle(page)
    for _ in range(20):
        if selected_offsets(page) == [72]:
            break
        time.sleep(0.3)
    assert selected_offsets(page) == [72]
    assert page.locator(".fl .tree .n.sel .lb").inner_text() == "REDUCE"
    shot(page, "13b-pickle-lab-reduce")
