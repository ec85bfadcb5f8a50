import importlib.util
import pickle
import py_compile

import pytest

import formatlens as fl
from formatlens.analysis import pickle_lab as lab
from formatlens.analysis.guide import classification_table, pros_and_cons
from formatlens.runtime.isolation import WorkerPool

from .conftest import SAMPLES


def test_protocols_side_by_side():
    versions = lab.by_protocol({"a": (1, 2)})
    assert [v["protocol"] for v in versions] == list(range(pickle.HIGHEST_PROTOCOL + 1))
    assert all(pickle.loads(v["data"]) == {"a": (1, 2)} for v in versions)
    assert "STOP" in versions[0]["disassembly"] and "PROTO" in versions[5]["disassembly"]


def test_verdicts_and_second_opinion(marker):
    class Payload:
        def __reduce__(self):
            import os

            return (os.system, (f"touch {marker}",))

    verdict = lab.analyse(pickle.dumps(Payload()))
    assert not verdict.safe and "posix.system" in verdict.headline
    assert [f["opcode"] for f in verdict.flagged if f["danger"]] == ["STACK_GLOBAL", "REDUCE"]
    assert verdict.second_opinion == "likely overtly malicious"
    benign = lab.analyse((SAMPLES / "users.pickle").read_bytes())
    assert benign.safe and all(not f["danger"] for f in benign.flagged)
    assert {i["status"] for i in benign.imports} == {"allowed: rebuilt as pure data"}


def test_restricted_loading_refuses_what_is_removed_and_acknowledges_what_is_trusted():
    data = (SAMPLES / "users-dataclass.pickle").read_bytes()
    assert not lab.analyse(data).safe
    trusting = lab.analyse(data, trusted={"tutorial.User"})
    assert trusting.safe and trusting.imports[0]["status"].startswith("trusted by you")
    strict = lab.analyse((SAMPLES / "users.pickle").read_bytes(), allowed=set())
    assert not strict.safe and all(i["status"].startswith("refused") for i in strict.imports)


def test_signatures_catch_one_flipped_bit():
    signed = lab.sign(b"payload", b"secret")
    assert lab.verify(signed, b"secret") == (True, b"payload")
    assert lab.verify(signed, b"other")[0] is False
    tampered = bytearray(signed)
    tampered[35] ^= 1
    assert lab.verify(bytes(tampered), b"secret")[0] is False


def test_pyc_header_and_isolated_disassembly(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("def f(x):\n    return x + 1\n")
    compiled = py_compile.compile(str(source), cfile=str(tmp_path / "mod.pyc"))
    with open(compiled, "rb") as file:
        data = file.read()
    header = lab.pyc_header(data)
    assert header["runs_here"] and header["python"] == "3.11" and header["source_size"] == source.stat().st_size
    assert "BINARY_OP" in lab.disassemble_pyc(data) or "RETURN_VALUE" in lab.disassemble_pyc(data)
    broken = data[:16] + b"\xe3" + b"\xff" * 40
    with pytest.raises(fl.FormatError, match="could not be read"):
        lab.disassemble_pyc(broken)
    with pytest.raises(fl.FormatError, match=r"not a \.pyc"):
        lab.pyc_header(b"print('hi')")
    assert data[:4] == importlib.util.MAGIC_NUMBER


def test_guide_tables_come_from_traits():
    infos = fl.formats()
    table = classification_table(infos)
    assert len(table) == 11
    parquet = next(r for r in table if r["format"] == "Apache Parquet")
    assert parquet["Row, column or document"] == "column-oriented" and parquet["Textual or binary"] == "binary"
    pickled = next(r for r in table if r["format"] == "pickle")
    assert pickled["Portable or Python-specific"] == "Python-specific"
    rows = pros_and_cons(infos, fl.compare([{"a": 1, "b": "x"}] * 50, repeat=1))
    assert {r["readability"] for r in rows} == {"readable as text", "needs a tool to read"}


def test_the_lab_analysis_comes_back_from_a_worker():
    pool = WorkerPool(workers=1, memory_mb=1024)
    try:
        report = pool.run(lab.safety_report, (SAMPLES / "runs-shell-command.pickle").read_bytes())
        opinion = pool.run(lab.second_opinion, (SAMPLES / "runs-shell-command.pickle").read_bytes())
    finally:
        pool.close()
    assert not report.verdict.safe and report.verdict.headline.startswith("Dangerous: loading it would import")
    assert [f["opcode"].split()[0] for f in report.verdict.flagged if f["danger"]] == ["GLOBAL", "REDUCE"]
    assert report.spans[0].start == 0 and "STOP" in report.disassembly
    assert opinion[0] == "likely overtly malicious"


def test_a_pickle_that_makes_fickling_slow_is_stopped_and_the_worker_pool_goes_on(monkeypatch):
    # fickling needs several seconds per 100,000 list items (measured on this machine: 5.5 s);
    # with a 1-second limit its second opinion on 300,000 is stopped, and nothing else waits for it.
    monkeypatch.setenv("FORMATLENS_MAX_DECODE_SECONDS", "1")
    slow = pickle.dumps(list(range(300_000)))
    pool = WorkerPool(workers=1, memory_mb=1024)
    try:
        with pytest.raises(fl.LimitExceeded, match="FORMATLENS_MAX_DECODE_SECONDS"):
            pool.run(lab.second_opinion, slow)
        monkeypatch.setenv("FORMATLENS_MAX_DECODE_SECONDS", "30")  # a fresh worker starts within this budget
        after = pool.run(lab.safety_report, (SAMPLES / "users.pickle").read_bytes(), disassembly=False)
    finally:
        pool.close()
    assert after.verdict.safe and after.verdict.second_opinion == "not asked"


def test_the_disassembly_shown_is_bounded():
    listing = lab.disassemble(pickle.dumps(list(range(50_000))), limit=1000)
    assert len(listing) < 1100 and listing.endswith("more characters not shown\n")


# Mutants of a small pickle on which fickling 0.1.12 itself fails (not with its PickleDecodeError).
FICKLING_FAILS = {
    "NotImplementedError": b"\x80\x04\x950\x00\x00\x00\x00\x81\x00\x00]\x94(}\x94(\x8c\x01a\x94K\x01\x8c\x01bQG?"
    b"\xf8\x00\x00\x00\x00\x00\x00\x8c\x01x\x94C\x01y\x94\x87\x94u\x98\x94(K\x01K\x02\x90N",
    "AttributeError": b"\x80\x04\x950\x00\x00\x00\x00\x00\x00\x00]\x94(\x82\x94(\x8c\x01a\x94K\x01\x8c\x01b\x94G?"
    b"\xf8\x00\x00\x00\x00\x00\x00\x8c\x01x\x94C\x01y\x94\x87\x94u\x8f\x94(K\x01K\x02\x90N\x88e.",
}


@pytest.mark.parametrize("kind", sorted(FICKLING_FAILS))
def test_fickling_failing_on_a_malformed_pickle_is_its_limit_not_a_verdict(kind):
    words, details = lab.second_opinion(FICKLING_FAILS[kind])
    assert (words, details) == (f"fickling could not analyse it ({kind} inside fickling)", [])


def test_an_error_that_is_not_fickling_s_is_not_swallowed(monkeypatch):
    import fickling.fickle

    def broken_load(data):
        raise NotImplementedError("raised by this test, outside fickling's code")

    monkeypatch.setattr(fickling.fickle.Pickled, "load", staticmethod(broken_load))
    with pytest.raises(NotImplementedError, match="outside fickling"):
        lab.second_opinion(b"\x80\x05N.")
