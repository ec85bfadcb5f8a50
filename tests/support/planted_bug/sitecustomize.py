"""Python imports this at startup when this folder is on PYTHONPATH: only the app that
tests/browser/test_bug_panel.py starts. With FORMATLENS_PLANTED_BUG=MARKER set, the JSON codec has a
bug (a KeyError) for inputs that hold MARKER, so the test can see how the app shows a bug in formatlens.
No real input is known to hit a bug (each would be fixed), so the bug is planted.
"""

import os

_MARKER = os.environ.get("FORMATLENS_PLANTED_BUG", "")

if _MARKER:
    from formatlens.codecs import json as _json_codec

    _decode = _json_codec.JsonCodec.decode

    def _decode_with_a_bug(self, data, **options):
        if _MARKER.encode() in data:
            return {}["planted bug"]  # a KeyError where a refusal cannot be: a bug, not bad input
        return _decode(self, data, **options)

    _json_codec.JsonCodec.decode = _decode_with_a_bug
