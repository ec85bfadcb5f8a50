"""The pickle lab's library: protocols side by side, a safety report, signed payloads, and .pyc headers.

Nothing here loads a pickle for real. The safety report comes from
formatlens's own reader (which imports and calls nothing) with fickling's
static analysis as a second opinion (fickling's ``Pickled.load`` parses
opcodes; its ``loads``/``load`` at package level would unpickle and are never
called). Code objects in .pyc files are disassembled in a separate process
with memory and CPU limits, because ``marshal`` is not safe against malformed
data.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import io
import os
import pickle
import pickletools
import struct
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from formatlens.codecs.pickle.unpickler import ALLOWLIST, REBUILDERS, why_dangerous
from formatlens.core.api import load
from formatlens.core.document import Document, Finding, Span
from formatlens.core.errors import FormatError

OPCODE_DANGERS = {
    "GLOBAL": "imports a module attribute by name: the door to any function",
    "STACK_GLOBAL": "imports a module attribute named by two strings on the stack",
    "INST": "imports a class and calls it with arguments (protocol 0)",
    "OBJ": "calls a class or function taken from the stack (protocol 1)",
    "REDUCE": "calls a callable with arguments: how os.system ends up running",
    "NEWOBJ": "creates an instance with cls.__new__, bypassing __init__",
    "NEWOBJ_EX": "creates an instance with cls.__new__ and keyword arguments",
    "BUILD": "calls __setstate__ or sets __dict__ on an object: code of the class runs",
    "EXT1": "imports through the copyreg extension registry",
    "EXT2": "imports through the copyreg extension registry",
    "EXT4": "imports through the copyreg extension registry",
    "PERSID": "hands an id to the application's persistent_load",
    "BINPERSID": "hands an id to the application's persistent_load",
}


def by_protocol(value: Any) -> list[dict]:
    """The same value pickled with protocols 0 to 5: size, bytes and disassembly."""
    out = []
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        data = pickle.dumps(value, protocol=protocol)
        out.append({"protocol": protocol, "size": len(data), "data": data, "disassembly": disassemble(data)})
    return out


DISASSEMBLY_CHARS = 200_000
"""The most of pickletools' listing the lab shows (it grows with the input, and the input is untrusted)."""


def disassemble(data: bytes, annotate: bool = True, limit: int = DISASSEMBLY_CHARS) -> str:
    text = io.StringIO()
    try:
        pickletools.dis(data, out=text, annotate=30 if annotate else 0)
    except (ValueError, IndexError) as exc:  # pickletools' errors on a broken opcode: show how far it got
        text.write(f"\n!! stops here: {exc}\n")
    listing = text.getvalue()
    if len(listing) > limit:
        listing = listing[:limit] + f"\n… {len(listing) - limit:,} more characters not shown\n"
    return listing


@dataclass
class Verdict:
    safe: bool
    headline: str
    flagged: list[dict]
    """Each flagged opcode: offset, opcode, what it does, why it is dangerous."""
    imports: list[dict]
    second_opinion: str = "not asked"
    """fickling's verdict, in words."""
    second_opinion_details: list[str] = field(default_factory=list)


@dataclass
class SafetyReport:
    """What the lab's Safety and Restricted tabs show: computed in a worker (see ui/pickle_lab_view.py)."""

    verdict: Verdict
    """formatlens's verdict (second_opinion is asked separately: fickling may be slow)."""
    spans: list[Span]
    """The opcodes' byte spans, for the hexdump."""
    disassembly: str


def analyse(data: bytes, *, allowed: set[str] | None = None, trusted: set[str] | None = None) -> Verdict:
    """formatlens's verdict on a pickle, fickling's second opinion, and every import with its status."""
    verdict = safety_report(data, allowed=allowed, trusted=trusted, disassembly=False).verdict
    verdict.second_opinion, verdict.second_opinion_details = second_opinion(data)
    return verdict


def safety_report(
    data: bytes, *, allowed: set[str] | None = None, trusted: set[str] | None = None, disassembly: bool = True
) -> SafetyReport:
    """formatlens's own verdict, the flagged opcodes, every import with its status, the spans and the listing.

    Untrusted input: the app runs this in a worker process (WorkerPool.run), like every decode."""
    allowed = set(ALLOWLIST) if allowed is None else allowed
    trusted = trusted or set()
    listing = disassemble(data) if disassembly else ""
    try:
        document = load(data, "pickle", trusted=frozenset(trusted))
    except FormatError as exc:
        return SafetyReport(Verdict(False, f"Not a valid pickle: {exc}", [], []), [], listing)
    dangerous = {f.span.start for f in document.findings if f.severity == "danger" and f.span is not None}
    flagged = []
    for span in document.spans:
        name = span.label.split(" ", 1)[0]
        if name in OPCODE_DANGERS:
            harmful = span.start in dangerous
            why = OPCODE_DANGERS[name] if harmful else "harmless here: it only reaches allowlisted pure-data classes"
            flagged.append({"offset": span.start, "end": span.end, "opcode": span.label, "danger": harmful, "why": why})
    imports = _imports(document, allowed, trusted)
    refused = [i for i in imports if i["status"].startswith("refused")]
    if refused:
        headline = f"Dangerous: loading it would import {', '.join(i['name'] for i in refused)}"
    else:
        headline = "Safe to load as data: every import is on the allowlist or trusted by you"
    return SafetyReport(Verdict(not refused, headline, flagged, imports), list(document.spans), listing)


def _imported_name(finding: Finding) -> str | None:
    """The dotted name a finding says the pickle imports (GLOBAL, STACK_GLOBAL, INST), else None."""
    return finding.subject if finding.code == "pickle.global" else None


def _imports(document: Document, allowed: set[str], trusted: set[str]) -> list[dict]:
    names = [name for finding in document.findings if (name := _imported_name(finding)) is not None]
    names += [n for n in document.details.get("imports", []) if n not in names]
    out = []
    for name in dict.fromkeys(names):
        if name in allowed and (name in REBUILDERS or name in ALLOWLIST):
            status = "allowed: rebuilt as pure data"
        elif name in trusted:
            status = "trusted by you: shown as a call, still never imported"
        else:
            status = f"refused: {why_dangerous(name)}"
        out.append({"name": name, "status": status})
    return out


FICKLING_FAILURES = (NotImplementedError, AttributeError, TypeError, ValueError, IndexError, KeyError)
"""What fickling 0.1.12 raises on malformed pickles (found by a 3,000-mutant fuzz), besides PickleDecodeError."""


def second_opinion(data: bytes) -> tuple[str, list[str]]:
    """fickling's static verdict in words, and up to 10 of its reasons.

    Untrusted input, and fickling's time and memory grow fast with the pickle's size (about 16 s for
    half a megabyte here): the app runs this in a worker process, apart from formatlens's own verdict."""
    try:
        from fickling.analysis import Severity, check_safety
        from fickling.fickle import Pickled, PickleDecodeError
    except ImportError:
        return "fickling is not installed", []
    try:
        result = check_safety(Pickled.load(data))  # static: fickling parses, it does not unpickle
    except PickleDecodeError as exc:  # fickling's own "this is not a pickle I can read"
        return f"fickling could not read it: {exc}", []
    except FICKLING_FAILURES as exc:
        # fickling also fails in other ways on malformed pickles (NotImplementedError for some opcodes,
        # AttributeError/TypeError inside its analysis): that is fickling's limit, not a verdict and not
        # a bug of ours. Anything that did not come out of fickling's own code is re-raised.
        if not _raised_in(exc, "fickling"):
            raise
        return f"fickling could not analyse it ({type(exc).__name__} inside fickling)", []
    details = [str(getattr(r, "message", r)) for r in result.results if r.severity > Severity.LIKELY_SAFE]
    return result.severity.name.replace("_", " ").lower(), details[:10]


def _raised_in(exc: BaseException, package: str) -> bool:
    """Whether the exception passed through ``package``'s own modules on its way out."""
    marker = f"{os.sep}{package}{os.sep}"
    return any(marker in frame.filename for frame in traceback.extract_tb(exc.__traceback__))


# -- signed payloads

TAG_SIZE = 32


def sign(data: bytes, key: bytes) -> bytes:
    """HMAC-SHA256 tag followed by the payload."""
    return hmac.new(key, data, hashlib.sha256).digest() + data


def verify(signed: bytes, key: bytes) -> tuple[bool, bytes]:
    """Whether the tag matches (compared in constant time), and the payload."""
    tag, data = signed[:TAG_SIZE], signed[TAG_SIZE:]
    return hmac.compare_digest(tag, hmac.new(key, data, hashlib.sha256).digest()), data


# -- .pyc files

PYTHON_MAGIC = {
    3413: "3.8",
    3425: "3.9",
    3439: "3.10",
    3495: "3.11",
    3531: "3.12",
    3571: "3.13",
    3627: "3.14",
}
"""Each release's final magic number (importlib.util.MAGIC_NUMBER)."""


def pyc_header(data: bytes) -> dict:
    """The 16-byte header of a .pyc (PEP 552): magic -> Python version, flags, timestamp or hash, size."""
    if len(data) < 16 or data[2:4] != b"\r\n":
        raise FormatError("not a .pyc file: it starts with a 2-byte magic number and \\r\\n", offset=0, format="pyc")
    magic = int.from_bytes(data[:2], "little")
    (flags,) = struct.unpack_from("<I", data, 4)
    header = {
        "magic": magic,
        "python": PYTHON_MAGIC.get(magic, _nearest_version(magic)),
        "runs_here": data[:4] == importlib.util.MAGIC_NUMBER,
        "flags": flags,
        "hash_based": bool(flags & 1),
        "check_source": bool(flags & 2),
    }
    if flags & 1:
        header["source_hash"] = data[8:16].hex()
    else:
        (timestamp, size) = struct.unpack_from("<II", data, 8)
        header["source_mtime"] = datetime.fromtimestamp(timestamp, UTC).isoformat()
        header["source_size"] = size
    return header


def _nearest_version(magic: int) -> str:
    earlier = [version for number, version in sorted(PYTHON_MAGIC.items()) if number <= magic]
    return f"{earlier[-1]} or a pre-release after it" if earlier else "older than 3.8"


_DIS_CHILD = """
import dis, marshal, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (512 * 1024 * 1024, 512 * 1024 * 1024))
resource.setrlimit(resource.RLIMIT_CPU, (5, 5))
code = marshal.loads(sys.stdin.buffer.read())
dis.dis(code, file=sys.stdout)
"""


def disassemble_pyc(data: bytes, timeout: float = 10.0) -> str:
    """dis of the code object, in a child process limited to 512 MiB and 5 s of CPU."""
    header = pyc_header(data)
    if not header["runs_here"]:
        raise FormatError(
            f"written by Python {header['python']}; this server runs "
            f"{sys.version_info.major}.{sys.version_info.minor} and can only disassemble its own "
            "bytecode",
            format="pyc",
            hint="the header above is still read",
        )
    try:
        run = subprocess.run(
            [sys.executable, "-I", "-c", _DIS_CHILD], input=data[16:], capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise FormatError("disassembly took too long and was stopped", format="pyc") from None
    if run.returncode != 0:
        reason = run.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {run.returncode}"]
        raise FormatError(
            f"the code object could not be read: {reason[0]}",
            offset=16,
            format="pyc",
            hint="the child process that read it was stopped; the server was not affected",
        )
    return run.stdout.decode("utf-8", "replace")
