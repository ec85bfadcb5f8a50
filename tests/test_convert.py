import datetime as dt
import json

import pytest

import formatlens as fl

from .conftest import SAMPLES, SCHEMALESS

SOURCES = ["users.pickle", "training.json", "feed.xml", "users.csv", "users-dataclass.pickle", "training.bson"]


@pytest.mark.parametrize("target", SCHEMALESS)
@pytest.mark.parametrize("source", SOURCES)
def test_every_source_converts_to_every_target(source, target):
    data = (SAMPLES / source).read_bytes()
    result = fl.convert(data, target)
    assert result.format == target
    back = fl.load(result.data, target)
    assert back.value is not None
    assert all(isinstance(loss, str) and loss for loss in result.losses)


def test_datetimes_survive_the_binary_chain():
    original = fl.load((SAMPLES / "users.pickle").read_bytes()).value
    data = (SAMPLES / "users.pickle").read_bytes()
    for target in ["msgpack", "cbor", "yaml", "bson", "pickle"]:
        result = fl.convert(data, target)
        data = result.data
    value = fl.load(data).value
    assert value == {"items": original}  # BSON wrapped the list; every datetime is still a datetime
    assert isinstance(value["items"][0]["registered_at"], dt.datetime)


def test_losses_are_plain_sentences():
    users = (SAMPLES / "users.pickle").read_bytes()
    assert fl.convert(users, "json").losses == ["datetimes written as ISO 8601 strings"]
    assert "bytes written as base64" in fl.convert(b"\x81\x41\x00", "json", source="cbor").losses
    assert fl.convert(b'{"s": [1]}', "json").losses == []
    training = fl.convert((SAMPLES / "training.json").read_bytes(), "csv").losses
    assert "CSS holds" not in training and "CSV holds a table: the object was written as a single row" in training


def test_pickle_placeholders_convert_as_data(marker):
    data = (SAMPLES / "runs-shell-command.pickle").read_bytes()
    result = fl.convert(data, "json")
    assert json.loads(result.data) == {
        "!call": "posix.system",
        "args": ["echo formatlens-demo > /tmp/formatlens-pwned"],
    }


def test_unencodable_values_are_encode_errors():
    with pytest.raises(fl.EncodeError):
        fl.dump({"when": dt.time(1)}, "json")
    with pytest.raises(fl.EncodeError):
        fl.dump({1: object()}, "msgpack")
    with pytest.raises(fl.EncodeError):
        fl.dump([1], "bson")


def test_cycles_and_bombs_are_bounded(monkeypatch):
    loop = []
    loop.append(loop)
    result = fl.convert_value(loop, "json")
    assert json.loads(result.data) == ["<recursive reference>"]
    monkeypatch.setenv("FORMATLENS_MAX_NODES", "1000")
    shared = [1] * 10
    for _ in range(10):
        shared = [shared] * 10
    with pytest.raises(fl.LimitExceeded):
        fl.convert_value(shared, "json")
