import pytest

import formatlens as fl

from .conftest import SAMPLE_FILES, expected_format


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_is_detected_as_its_own_format(path):
    assert fl.detect(path.read_bytes())[0][0] == expected_format(path)


def test_extension_is_a_hint_not_the_answer():
    assert fl.detect(b'{"a": 1}', "data.yaml")[0][0] == "json"
    plain = fl.detect(b"a: 1\n")
    hinted = fl.detect(b"a: 1\n", "x.yml")
    assert hinted[0][1] == pytest.approx(plain[0][1] + 0.05)


def test_json_outranks_yaml_for_json():
    ranking = dict(fl.detect(b'{"a": [1, 2, 3]}'))
    assert ranking["json"] > ranking["yaml"]


def test_ranking_is_sorted_and_bounded():
    for path in SAMPLE_FILES:
        ranking = fl.detect(path.read_bytes())
        scores = [score for _, score in ranking]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < score <= 1 for score in scores)


def test_nothing_detected_in_noise():
    assert fl.detect(b"") == []
    assert fl.detect(bytes(range(256))[::-1]) == []
