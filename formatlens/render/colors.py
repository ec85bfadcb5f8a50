"""The color of each span kind, shared by every hexdump and tree that colors bytes by what they are.

Pastel backgrounds with dark text on them: readable in Streamlit's light and dark themes alike.
"""

from __future__ import annotations

KIND_COLORS = {
    "magic": "#f4b6c2",
    "header": "#ffd6a5",
    "length": "#fdffb6",
    "tag": "#caffbf",
    "key": "#9bf6ff",
    "type": "#a0c4ff",
    "value": "#e2ecf9",
    "opcode": "#bdb2ff",
    "metadata": "#ffc6ff",
    "padding": "#eeeeee",
    "footer": "#ffadad",
    "compressed": "#d8e2dc",
    "entry": "#f1f7ed",
}
