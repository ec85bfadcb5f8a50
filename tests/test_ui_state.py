"""Every session-state key (widget keys too) is spelled once, in formatlens/ui/state.py."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    p
    for p in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "formatlens" / "ui").glob("*.py")]
    if p.name != "state.py"
)


def spelled_keys(source: str) -> list[str]:
    """Session keys written as a string (or a module constant holding one) instead of a name from state.py."""
    tree = ast.parse(source)
    constants = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def spelled(expr: ast.expr) -> bool:
        return isinstance(expr, ast.JoinedStr | ast.Constant) or (isinstance(expr, ast.Name) and expr.id in constants)

    def is_session_state(expr: ast.expr) -> bool:
        return isinstance(expr, ast.Attribute) and expr.attr == "session_state"

    found = []
    for node in ast.walk(tree):
        candidates: list[ast.expr] = []
        if isinstance(node, ast.Call):
            candidates += [k.value for k in node.keywords if k.arg == "key"]
            func = node.func
            if isinstance(func, ast.Attribute) and is_session_state(func.value) and node.args:
                candidates.append(node.args[0])  # .get / .pop / .setdefault
        elif isinstance(node, ast.Subscript) and is_session_state(node.value):
            candidates.append(node.slice)
        elif isinstance(node, ast.Compare) and any(is_session_state(c) for c in node.comparators):
            candidates.append(node.left)
        found += [f"line {c.lineno}: {ast.unparse(c)}" for c in candidates if spelled(c)]
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_session_keys_are_declared_in_state(path):
    assert spelled_keys(path.read_text()) == []


def test_the_check_finds_a_spelled_key():
    source = 'import streamlit as st\nK = "k"\nst.session_state["a"] = 1\nst.text_input("x", key=f"b_{1}")\nK in st.session_state\n'
    assert spelled_keys(source) == ["line 3: 'a'", "line 4: f'b_{1}'", "line 5: K"]
