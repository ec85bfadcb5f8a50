"""A tsconfig.json with comments, trailing commas and a repeated key, uploaded in a real browser (with screenshots)."""

from .conftest import SHOTS
from .test_browser import choose_source, metric, settle, shot

TSCONFIG = b"""{
  // Visit https://aka.ms/tsconfig to read more about this file
  "compilerOptions": {
    "target": "es2016", /* Set the JavaScript language version. */
    "strict": true,
    "strict": false,
  },
}
"""


def test_a_tsconfig_is_json_with_its_comments_and_duplicate_key_named(page, server, tmp_path):
    path = tmp_path / "tsconfig.json"
    path.write_bytes(TSCONFIG)
    page.goto(server)
    settle(page, "Detection confidence")
    choose_source(page, "Upload")
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
    page.get_by_text("tsconfig.json").first.wait_for()
    settle(page)
    assert metric(page, "Format") == "json"
    page.get_by_role("tab", name="Findings").click()
    settle(page, "JSON with comments")
    settle(page, "duplicate key 'strict'")
    assert page.get_by_text("2 comments and 2 trailing commas dropped", exact=False).first.is_visible()
    assert page.get_by_text("duplicate key 'strict' in compilerOptions, bytes", exact=False).first.is_visible()
    shot(page, "fidelity-tsconfig-findings")
    assert (SHOTS / "fidelity-tsconfig-findings.png").stat().st_size > 10_000
    page.locator("[data-testid='stSidebarNav'] a", has_text="Convert").first.click()  # the same session
    settle(page, "What the target could not hold")
    settle(page, "of the source dropped")
    assert page.get_by_text("of the source dropped", exact=False).first.is_visible()
    assert page.get_by_text("duplicate keys in the source", exact=False).first.is_visible()
    shot(page, "fidelity-tsconfig-convert")
