"""JSON with comments (tsconfig.json, VS Code settings, .jsonc): recognised, read, and the dropped comments named."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import formatlens as fl
from formatlens.codecs.support.jsonscan import duplicate_keys, strip_comments

TSCONFIG = b"""{
  // Visit https://aka.ms/tsconfig to read more about this file
  "compilerOptions": {
    /* Language and Environment */
    "target": "es2016",                                  /* Set the JavaScript language version. */
    "lib": ["dom", "es2020",],
    "paths": { "@/*": ["./src/*"] },
    "strict": true,                                      /* Enable all strict type-checking options. */
  },
  "exclude": ["node_modules", "**/*.spec.ts"]
}
"""

VSCODE_SETTINGS = """// Place your settings in this file to overwrite the default settings
{
    "editor.fontSize": 14,
    "files.exclude": {
        "**/.git": true, // hide the git folder
    },
    "workbench.colorTheme": "Solarized Dark — ünïcode",
}
""".encode()


def test_tsconfig_is_detected_as_json_and_read_without_its_comments():
    assert fl.detect(TSCONFIG, "tsconfig.json")[0][0] == "json"
    assert fl.detect(TSCONFIG)[0][0] == "json"
    document = fl.load(TSCONFIG, "json")
    assert document.value == {
        "compilerOptions": {
            "target": "es2016",
            "lib": ["dom", "es2020"],
            "paths": {"@/*": ["./src/*"]},
            "strict": True,
        },
        "exclude": ["node_modules", "**/*.spec.ts"],
    }
    (finding,) = [f for f in document.findings if f.code == "json.comments"]
    assert finding.severity == "warning"  # strict JSON parsers refuse the file
    assert "4 comments and 2 trailing commas dropped" in finding.message
    assert (
        TSCONFIG[finding.span.start : finding.span.end]
        == b"// Visit https://aka.ms/tsconfig to read more about this file"
    )


def test_vscode_settings_opening_with_a_comment_keep_true_byte_offsets():
    assert fl.detect(VSCODE_SETTINGS, "settings.json")[0][0] == "json"
    document = fl.load(VSCODE_SETTINGS, "json")
    assert document.value == {
        "editor.fontSize": 14,
        "files.exclude": {"**/.git": True},
        "workbench.colorTheme": "Solarized Dark — ünïcode",
    }
    spans = {s.path: s for s in document.spans}
    theme = spans[("workbench.colorTheme",)]
    assert VSCODE_SETTINGS[theme.start : theme.end] == '"workbench.colorTheme": "Solarized Dark — ünïcode"'.encode()


def test_an_error_after_a_comment_points_at_its_byte():
    data = '{\n  // ünïcode comment\n  "a": 1,\n  "b": tru\n}'.encode()
    with pytest.raises(fl.FormatError) as caught:
        fl.load(data, "json")
    assert caught.value.offset == data.index(b"tru")


def test_slashes_inside_strings_are_not_comments():
    data = b'{"url": "https://example.com/*x*/", "c": "//"}'
    document = fl.load(data, "json")
    assert document.value == json.loads(data)
    assert [f for f in document.findings if f.code == "json.comments"] == []


def test_a_jsonc_name_and_block_comment_with_trailing_comma_in_an_array():
    data = b"[1, /* two */ 2, 3,]"
    assert fl.detect(data, "data.jsonc")[0][0] == "json"
    assert fl.load(data, "json").value == [1, 2, 3]


def test_json5_proper_is_refused_with_a_hint_and_a_json_name_keeps_json_ranked():
    data = b"// JSON5\n{unquoted: 'single', hex: 0x1F}\n"
    with pytest.raises(fl.FormatError) as caught:
        fl.load(data, "json")
    assert caught.value.offset == data.index(b"unquoted")
    assert "JSON5" in (caught.value.hint or "")
    assert "json" in [name for name, _score in fl.detect(data, "config.json")]


def test_converting_names_the_dropped_comments():
    same = fl.convert(TSCONFIG, "json")
    assert json.loads(same.data) == fl.load(TSCONFIG, "json").value
    assert same.losses == [
        "JSON with comments: 4 comments and 2 trailing commas of the source dropped (the data is written without them)"
    ]
    other = fl.convert(VSCODE_SETTINGS, "yaml")
    assert other.losses[0].startswith("JSON with comments: 2 comments and 2 trailing commas")


def test_plain_json_converts_without_a_comment_loss():
    assert fl.convert(b'{"a": [1, 2]}', "json").losses == []


# -- the tokenizer: plain JSON passes unchanged, comments anywhere between tokens are dropped

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.sampled_from('a/*,]}"\\é\n ')),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet="ab/*,}"), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(JSON_VALUES, st.sampled_from([None, 0, 2]))
def test_plain_json_is_left_alone(value, indent):
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    assert strip_comments(text) == (text, [], [])
    assert duplicate_keys(text) == []


@settings(max_examples=200, deadline=None, derandomize=True)
@given(JSON_VALUES, st.sampled_from(["// note", "/* a // b */", "/**/"]))
def test_comments_at_every_line_end_are_dropped(value, comment):
    lines = json.dumps(value, indent=2, ensure_ascii=False).split("\n")
    text = "\n".join(f"{line} {comment}" for line in lines)
    stripped = strip_comments(text)
    assert len(stripped.text) == len(text) and len(stripped.comments) == len(lines)
    assert json.loads(stripped.text) == value


def _reference_duplicates(pairs_tree, path=()):
    """(path, key) of every repeat, from json.loads(object_pairs_hook=list): a slow, obvious reading."""
    found = []
    if isinstance(pairs_tree, list) and all(isinstance(p, tuple) for p in pairs_tree) and pairs_tree:
        seen = set()
        for key, child in pairs_tree:
            if key in seen:
                found.append((path, key))
            seen.add(key)
            found += _reference_duplicates(child, (*path, key))
    elif isinstance(pairs_tree, list):
        for index, child in enumerate(pairs_tree):
            found += _reference_duplicates(child, (*path, index))
    return found


def _render(node) -> str:
    """A JSON text from ("obj", [(key, node)...]) / ("arr", [node...]) / scalar: objects may repeat keys."""
    if isinstance(node, tuple) and node[0] == "obj":
        return "{" + ", ".join(f"{json.dumps(k)}: {_render(v)}" for k, v in node[1]) + "}"
    if isinstance(node, tuple) and node[0] == "arr":
        return "[" + ", ".join(_render(v) for v in node[1]) + "]"
    return json.dumps(node)


TREES = st.recursive(
    st.integers(0, 9) | st.just("s"),
    lambda inner: (
        st.tuples(st.just("arr"), st.lists(inner, min_size=1, max_size=4))
        | st.tuples(st.just("obj"), st.lists(st.tuples(st.sampled_from("abc"), inner), min_size=1, max_size=4))
    ),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(TREES)
def test_duplicate_keys_agree_with_a_plain_reading(tree):
    text = _render(tree)
    expected = _reference_duplicates(json.loads(text, object_pairs_hook=list))
    found = duplicate_keys(text, limit=1000)
    assert sorted(((d.path, d.key) for d in found), key=repr) == sorted(expected, key=repr)
    assert all(text[d.again : d.again_end] == json.dumps(d.key) for d in found)
    assert [d.again for d in found] == sorted(d.again for d in found)
