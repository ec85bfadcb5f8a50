import datetime as dt
import json

import pytest

import formatlens as fl
from formatlens.convert.adapt import adapt
from formatlens.core import registry

from .conftest import SAMPLES, SCHEMALESS

SOURCES = ["users.pickle", "training.json", "feed.xml", "users.csv", "users-dataclass.pickle", "training.bson"]


@pytest.mark.parametrize("target", SCHEMALESS)
@pytest.mark.parametrize("source", SOURCES)
def test_every_source_converts_to_every_target(source, target):
    data = (SAMPLES / source).read_bytes()
    result = fl.convert(data, target)
    assert result.format == target
    back = fl.load(result.data, target)
    source = fl.load(data).value
    if target in ("csv", "xml"):  # text cells and element names: the value is rewritten, compare it as read back
        assert back.value == fl.load(fl.convert_value(source, target).data, target).value
    else:  # what went in comes back, seen in JSON's vocabulary on both sides (datetimes as ISO strings...)
        codec = registry.get(target)
        assert _plain(back.value) == _plain(adapt(codec.reshape(source, []), codec.holds, []))
    assert all(isinstance(loss, str) and loss for loss in result.losses)


def _plain(value):
    """A value as JSON text would hold it (for comparing across formats)."""
    return json.loads(fl.convert_value(value, "json").data)


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


def test_pickle_placeholders_convert_as_data(shipped_marker):
    data = (SAMPLES / "runs-shell-command.pickle").read_bytes()
    command = f"echo formatlens-demo > {shipped_marker}"  # the path the payload really writes, watched
    for target in ("json", "yaml", "pickle", "msgpack"):
        result = fl.convert(data, target)
        assert fl.load(result.data, target).value == {"!call": "posix.system", "args": [command]}, target


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
