"""Text from the data, made safe to show in Streamlit's Markdown.

File names, keys, error messages and findings can come from an upload. Shown
as Markdown, a name like ``![x](http://tracker)`` would fetch an image from
another host; escaping Markdown's punctuation shows it as the text it is.
"""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """``text`` with every Markdown-significant character escaped."""
    return _MARKDOWN.sub(r"\\\1", str(text))
