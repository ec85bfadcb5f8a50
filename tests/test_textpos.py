"""Character -> byte offsets of decoded text, looked up in the orders the span walkers use."""

import random

import pytest

from formatlens.codecs.support.textpos import Text

TEXT = "aé€😀\n" * 3_000  # 1-, 2-, 3- and 4-byte UTF-8 characters


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-32-be"])
def test_byte_offsets_forward_back_and_far(encoding):
    text = Text(TEXT.encode(encoding), encoding)
    rng = random.Random(1)
    order = []
    for index in sorted(rng.sample(range(len(TEXT)), 1000)):  # forward, a step back (an entry's start), forward
        order += [index, max(0, index - 7), index]
    order += rng.sample(range(len(TEXT)), 200)  # jumps anywhere
    found = [text.byte_offset(index) for index in order]
    assert found == [len(TEXT[:index].encode(encoding)) for index in order]
