"""Regenerate every file in samples/ deterministically (fixed seeds, fixed dates).

    python samples/generate.py

The data follows the seed tutorial ("Serialize Your Data With Python"): its
users, its training program and an Atom feed; a pickled data class; a pickle
that would run a shell command (to show what the inspector flags); and each
sample written in each format that formatlens writes.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import sys
import types
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

import formatlens as fl  # noqa: E402
from formatlens.analysis.samples import users  # noqa: E402

FORMATS = ["json", "yaml", "xml", "csv", "pickle", "bson", "msgpack", "cbor", "avro", "parquet", "protobuf"]
EXTENSIONS = {fmt: fmt for fmt in FORMATS} | {"protobuf": "pb"}


def training_program() -> dict:
    exercises = {
        "squat": {"name": "Back squat", "muscles": ["quadriceps", "glutes"], "equipment": "barbell"},
        "bench": {"name": "Bench press", "muscles": ["chest", "triceps"], "equipment": "barbell"},
        "row": {"name": "Bent-over row", "muscles": ["back", "biceps"], "equipment": "barbell"},
        "plank": {"name": "Plank", "muscles": ["core"], "equipment": None},
        "run": {"name": "Easy run", "muscles": ["legs", "heart"], "equipment": None},
    }
    days = {
        "strength_a": {
            "title": "Strength A",
            "exercises": [
                {"exercise": "squat", "sets": 5, "reps": 5, "weight_kg": 80.0},
                {"exercise": "bench", "sets": 5, "reps": 5, "weight_kg": 60.0},
                {"exercise": "plank", "sets": 3, "seconds": 60},
            ],
        },
        "strength_b": {
            "title": "Strength B",
            "exercises": [
                {"exercise": "squat", "sets": 3, "reps": 8, "weight_kg": 70.0},
                {"exercise": "row", "sets": 4, "reps": 8, "weight_kg": 50.0},
            ],
        },
        "cardio": {"title": "Cardio", "exercises": [{"exercise": "run", "minutes": 30, "pace_min_per_km": 6.5}]},
    }
    return {
        "metadata": {
            "title": "Beginner strength, 4 weeks",
            "author": "Coach Example",
            "version": "1.2",
            "created": dt.date(2024, 3, 1).isoformat(),
            "rest_days": ["Tue", "Thu", "Sun"],
        },
        "exercises": exercises,
        "days": days,
        "schedule": [
            {"week": week, "plan": {"Mon": "strength_a", "Wed": "strength_b", "Fri": "cardio", "Sat": "strength_a"}}
            for week in range(1, 5)
        ],
    }


ATOM_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>formatlens release notes</title>
  <link href="https://example.org/formatlens/" rel="alternate"/>
  <updated>2026-11-20T09:30:00Z</updated>
  <author><name>formatlens maintainers</name></author>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <entry>
    <title>Pickles are read without running them</title>
    <link href="https://example.org/formatlens/safe-pickle"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2026-11-20T09:30:00Z</updated>
    <summary type="text">Every import and call in a pickle is shown, never executed.</summary>
  </entry>
  <entry>
    <title>Hexdumps with byte spans</title>
    <link href="https://example.org/formatlens/spans"/>
    <id>urn:uuid:2c5c2f2e-8b4e-4f7e-9a45-1f1f0b0e3a11</id>
    <updated>2026-11-13T16:00:00Z</updated>
    <summary type="text">Click a byte, see the field it belongs to.</summary>
  </entry>
</feed>
"""


@dataclass
class User:
    id: int
    name: str
    email: str
    language: str
    registered_at: dt.datetime


def pickled_dataclass(rows: list[dict]) -> bytes:
    # Pickle records the class's module and name; give it a stable one for byte-identical output.
    module = types.ModuleType("tutorial")
    module.User = User
    User.__module__ = "tutorial"
    User.__qualname__ = "User"
    sys.modules["tutorial"] = module
    return pickle.dumps([User(**row) for row in rows[:3]], protocol=4)


class _RunsAShellCommand:
    def __reduce__(self):
        import os

        return (os.system, ("echo formatlens-demo > /tmp/formatlens-pwned",))


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    print(f"{path.relative_to(ROOT.parent)}  {len(data):,} bytes")


def main() -> None:
    people = users()
    program = training_program()
    feed = fl.load(ATOM_FEED.encode(), "xml").value
    for stem, value in (("users", people), ("training", program), ("feed", feed)):
        for fmt in FORMATS:
            path = ROOT / f"{stem}.{EXTENSIONS[fmt]}"
            if stem == "feed" and fmt == "xml":
                write(path, ATOM_FEED.encode())
                continue
            options = {"sync_marker": b"formatlens-demo!"} if fmt == "avro" else {}
            conversion = fl.convert_value(value, fmt, **options)
            write(path, conversion.data)
            if fmt == "protobuf":  # the schema travels beside the message: protobuf bytes don't carry it
                write(path.with_suffix(".proto"), conversion.schema.text.encode())
    write(ROOT / "users-dataclass.pickle", pickled_dataclass(people))
    write(ROOT / "runs-shell-command.pickle", pickle.dumps(_RunsAShellCommand(), protocol=2))
    write(ROOT / "users-protocol0.pickle", pickle.dumps(people[:3], protocol=0))
    jsonpickle_doc = {
        "py/object": "tutorial.User",
        "py/state": {"id": 1, "name": "Ann"},
        "friend": {"py/reduce": [{"py/function": "os.system"}, {"py/tuple": ["id"]}]},
    }
    write(ROOT / "jsonpickle.json", json.dumps(jsonpickle_doc, indent=2).encode())


if __name__ == "__main__":
    main()
