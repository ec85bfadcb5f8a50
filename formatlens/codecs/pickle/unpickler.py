"""Rebuild the data in a pickle without running any of its code.

The pickle's opcodes (from ``pickletools.genops``, which only parses) drive a
small stack machine that knows the opcodes of protocols 0 to 5. Containers and
scalars are built as themselves. A short allowlist of pure-data classes
(datetime, Decimal, UUID, OrderedDict, set...) is rebuilt by calling their
constructors with data arguments only. Everything else - any other import, call
or object creation - becomes a visible :class:`CallNode` such as
``{"!call": "os.system", "args": ["rm -rf /"]}`` plus a "danger" finding.
Nothing named in the pickle is ever imported.
"""

from __future__ import annotations

import _compat_pickle
import collections
import datetime
import decimal
import fractions
import pickle
import pickletools
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from formatlens.core import checkpoints
from formatlens.core.checkpoints import TOP, current_checkpoints
from formatlens.core.errors import FormatError
from formatlens.core.limits import SpanWindow

_MARK = object()


class CallNode(dict):
    """A placeholder for something the pickle would import, call or instantiate."""

    # usable as a dict key or set member, as the real object might be (dict declares __hash__ = None)
    __hash__ = object.__hash__  # type: ignore[assignment]


class GlobalRef(dict):
    """A name the pickle imports, never imported. It is data wherever it lands in the value
    (``{"!global": "numpy.ndarray"}``), so nothing internal leaks into .value or conversions."""

    __hash__ = object.__hash__  # type: ignore[assignment]

    def __init__(self, module: str, name: str) -> None:
        super().__init__({"!global": f"{module}.{name}"})
        self.module = module
        self.name = name

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}"

    def __repr__(self) -> str:
        return self.dotted


def _from_codecs_encode(text: str, encoding: str = "utf-8") -> bytes:
    # Protocols 0-2 write bytes as _codecs.encode(text, "latin1").
    if encoding.replace("-", "").lower() not in ("latin1", "iso88591", "utf8"):
        raise ValueError(f"_codecs.encode with encoding {encoding!r} is not rebuilt")
    return text.encode(encoding)


def _defaultdict(factory: Any = None, *items: Any) -> collections.defaultdict:
    if factory is not None and factory not in _SAFE_FACTORIES:
        raise ValueError("defaultdict with a factory outside the allowlist")
    return collections.defaultdict(factory, *items)


_SAFE_FACTORIES = (list, dict, set, int, float, str, tuple)
_ZONE_KEY = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*\Z")


def _zoneinfo(key: Any, *_from_cache: Any) -> Any:
    """zoneinfo.ZoneInfo(key) from its pickled key: a time zone name read from the tz database, nothing else."""
    import zoneinfo

    if not isinstance(key, str) or not _ZONE_KEY.match(key) or len(key) > 64:
        raise ValueError(f"{key!r} is not a time zone name")
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"no time zone {key!r} in the tz database") from None


_ZONEINFO_GETATTR = ("builtins.getattr", "zoneinfo.ZoneInfo", "_unpickle")
"""How a ZoneInfo pickles: getattr(zoneinfo.ZoneInfo, "_unpickle")(key, 1). Recognised as one step, so
that an everyday pickled datetime with a zone is rebuilt as data and draws no danger finding."""


def _from_data(constructor: type) -> Callable[..., Any]:
    """bytes/bytearray built only from data: bytes(10**12) would allocate a terabyte."""

    def build(source: Any = b"", *args: Any) -> Any:
        if not isinstance(source, (bytes, bytearray, str, list, tuple)):
            raise ValueError(f"{constructor.__name__}() is rebuilt only from data, not from {type(source).__name__}")
        return constructor(source, *args)

    build.__name__ = constructor.__name__
    return build


REBUILDERS: dict[str, Callable[..., Any]] = {
    "builtins.set": set,
    "builtins.frozenset": frozenset,
    "builtins.list": list,
    "builtins.tuple": tuple,
    "builtins.dict": dict,
    "builtins.bytes": _from_data(bytes),
    "builtins.bytearray": _from_data(bytearray),
    "builtins.complex": complex,
    "builtins.int": int,
    "builtins.float": float,
    "builtins.str": str,
    "builtins.bool": bool,
    "builtins.slice": slice,
    "_codecs.encode": _from_codecs_encode,
    "datetime.datetime": datetime.datetime,
    "datetime.date": datetime.date,
    "datetime.time": datetime.time,
    "datetime.timedelta": datetime.timedelta,
    "datetime.timezone": datetime.timezone,
    "decimal.Decimal": decimal.Decimal,
    "_pydecimal.Decimal": decimal.Decimal,
    "fractions.Fraction": fractions.Fraction,
    "uuid.UUID": uuid.UUID,
    "collections.OrderedDict": collections.OrderedDict,
    "collections.Counter": collections.Counter,
    "collections.deque": collections.deque,
    "collections.defaultdict": _defaultdict,
    "zoneinfo.ZoneInfo._unpickle": _zoneinfo,
}
"""Pure-data classes rebuilt for real: their constructors take data and run no code of the pickle's.

No constructor here turns a small argument into a large value (range, bytes(n) and
iterators are left out), so a rebuild stays bounded by the size of the pickle."""

ALLOWLIST = frozenset(REBUILDERS) | {"copyreg._reconstructor", "builtins.object"}
"""Names a pickle may import without a danger finding (after Python 2 names are mapped)."""

DANGERS = {
    "os.system": "runs a shell command",
    "posix.system": "runs a shell command",
    "nt.system": "runs a shell command",
    "os.popen": "runs a shell command",
    "os.exec": "replaces the process with another program",
    "os.spawn": "starts a program",
    "os.remove": "deletes a file",
    "os.unlink": "deletes a file",
    "shutil.rmtree": "deletes a directory tree",
    "subprocess.": "starts a process",
    "builtins.eval": "evaluates Python source",
    "builtins.exec": "executes Python source",
    "builtins.compile": "compiles Python source",
    "builtins.__import__": "imports any module",
    "builtins.getattr": "reaches any attribute (a common gadget to get at os.system)",
    "builtins.setattr": "changes any attribute",
    "builtins.open": "opens files",
    "builtins.breakpoint": "starts the debugger",
    "importlib.import_module": "imports any module",
    "socket.": "opens network connections",
    "pty.spawn": "starts a shell",
    "webbrowser.": "opens URLs",
    "dill._dill.": "is dill's way to recreate functions, classes or code objects",
    "marshal.loads": "loads code objects",
    "types.CodeType": "creates code objects",
    "types.FunctionType": "creates functions",
}


def why_dangerous(dotted: str) -> str:
    for prefix, reason in DANGERS.items():
        if (
            dotted == prefix
            or (prefix.endswith((".", "_")) and dotted.startswith(prefix))
            or dotted.startswith(prefix + ".")
        ):
            return reason
    module = dotted.rsplit(".", 1)[0]
    return f"unpickling would import module {module!r} and run its code"


@dataclass
class Op:
    name: str
    arg: Any
    start: int
    end: int
    code: pickletools.OpcodeInfo


@dataclass
class Alarm:
    """Something the pickle would import or call: reported as a danger finding."""

    op: Op
    message: str
    trusted: bool = False
    code: str = "pickle.call"
    """pickle.global (an import), pickle.call (a call) or pickle.new (an object created by its class)."""
    subject: str = ""
    """The dotted name imported, called or instantiated."""


@dataclass
class Rebuild:
    value: Any
    ops: list[Op]
    alarms: list[Alarm] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    protocol: int = 0
    trailing: int = 0
    infos: list[str] = field(default_factory=list)


_BROKEN = "the pickle is truncated or not a pickle"


def parse_ops(data: bytes, limit: int | None = None) -> tuple[list[Op], int]:
    """The opcodes with their byte ranges, and the number of bytes after STOP.

    With ``limit``, only the first ``limit`` opcodes (for spans: a 19 MiB pickle has 7.7 million),
    and the byte count after STOP is not known (0)."""
    ops: list[Op] = []
    for op in ops_from(data, 0):
        ops.append(op)
        if limit is not None and len(ops) >= limit:
            return ops, 0
    if not ops:
        raise FormatError("empty pickle", offset=0, format="pickle")
    return ops, len(data) - ops[-1].end


def ops_from(data: bytes, pos: int) -> Iterator[Op]:
    """The opcodes from the one at ``pos`` to STOP, each with its byte range."""
    stream = BytesIO(data)
    stream.seek(pos)
    at = pos  # genops yields an opcode once its argument is read: the next one starts where the stream is
    try:
        for code, arg, start in pickletools.genops(stream):
            end = stream.tell()
            yield Op(code.name, arg, start, end, code)  # type: ignore[arg-type]  # genops knows positions in a BytesIO
            at = end
    except (ValueError, EOFError, UnicodeDecodeError, OverflowError) as exc:
        raise FormatError(f"broken opcode: {exc}", offset=at, format="pickle", hint=_BROKEN) from None


def window_ops(data: bytes, window: SpanWindow) -> list[Op]:
    """The opcodes with bytes in ``window`` (core.limits.span_window): from the last checkpoint before it
    (core.checkpoints), the opcodes before it are passed over by their arguments' lengths (skip_to, noting
    checkpoints), then read until past it. An opcode's span depends on its own bytes only, so a walk that
    starts at any opcode boundary gives the spans a walk from byte 0 gives."""
    marks = current_checkpoints()
    pos = marks.start(TOP, 0, None, window[0])[0] if marks is not None else 0
    ops = []
    for op in ops_from(data, skip_to(data, pos, window[0])):
        if window.past(op.start):
            break
        if marks is not None:
            marks.note(TOP, op.start, None)
        if not window.misses(op.start, op.end):
            ops.append(op)
    return ops


def _argument_sizes() -> list[tuple[int, int] | None]:
    """For each opcode byte, how its argument's size is found: (n, lines) with pickletools' ArgumentDescriptor
    n (bytes; or a length prefix, or up to a newline) and lines (GLOBAL and INST take two); None: no opcode."""
    sizes: list[tuple[int, int] | None] = [None] * 256
    for info in pickletools.opcodes:
        n = info.arg.n if info.arg is not None else 0
        lines = 2 if info.arg is not None and info.arg.name == "stringnl_noescape_pair" else 1
        sizes[ord(info.code)] = (n, lines)
    return sizes


_SIZES = _argument_sizes()
_PREFIXES = {
    pickletools.TAKEN_FROM_ARGUMENT1: (1, False),
    pickletools.TAKEN_FROM_ARGUMENT4: (4, True),
    pickletools.TAKEN_FROM_ARGUMENT4U: (4, False),
    pickletools.TAKEN_FROM_ARGUMENT8U: (8, False),
}
_STOP = ord(pickle.STOP)


def skip_to(data: bytes, pos: int, lo: int) -> int:
    """From the opcode at ``pos``, the start of the first opcode that ends past ``lo`` (or of STOP): the ones
    before it passed over by their arguments' sizes, never decoded (a fifth of genops' time), each opcode's
    bytes read as genops reads them, so that the boundaries are its boundaries (a frame's declared length is
    not trusted: the C unpickler reads frames as plain bytes, and one may end inside an opcode). Checkpoints
    are noted about every STEP bytes."""
    marks, sizes, prefixes, size = current_checkpoints(), _SIZES, _PREFIXES, len(data)
    next_mark = pos
    while pos < size:
        found = sizes[data[pos]]
        if found is None:
            raise FormatError(f"unknown opcode 0x{data[pos]:02x}", offset=pos, format="pickle", hint=_BROKEN)
        n, lines = found
        if n >= 0:
            end = pos + 1 + n
        elif n == pickletools.UP_TO_NEWLINE:
            end = pos + 1
            for _ in range(lines):
                end = data.find(b"\n", end) + 1
                if end == 0:
                    raise FormatError("no newline ends an argument", offset=pos, format="pickle", hint=_BROKEN)
        else:
            width, signed = prefixes[n]
            length = int.from_bytes(data[pos + 1 : pos + 1 + width], "little", signed=signed)
            if length < 0:
                raise FormatError("a negative length", offset=pos, format="pickle", hint=_BROKEN)
            end = pos + 1 + width + length
        if end > size:
            raise FormatError("an opcode runs past the end", offset=pos, format="pickle", hint=_BROKEN)
        if end > lo or data[pos] == _STOP:
            return pos
        if marks is not None and pos >= next_mark:
            marks.note(TOP, pos, None)
            next_mark = pos + checkpoints.STEP
        pos = end
    return pos


class Machine:
    """The stack machine. Each opcode handler is a method named after the opcode."""

    def __init__(self, ops: list[Op], trusted: frozenset[str], max_nodes: int) -> None:
        self.ops = ops
        self.trusted = trusted
        self.stack: list[Any] = []
        self.marks: list[int] = []
        self.memo: dict[int, Any] = {}
        self.alarms: list[Alarm] = []
        self.notes: list[str] = []
        self.protocol = 0
        self.budget = max_nodes
        self._op: Op | None = None
        self.deferred: dict[str, Alarm] = {}
        self.benign: set[str] = set()
        self.infos: list[str] = []
        self.misused: set[str] = set()
        """Import alarms held back for names that everyday pickles use in one benign pattern
        (getattr(ZoneInfo, "_unpickle")); raised when the pickle uses them any other way."""

    def run(self) -> Any:
        for op in self.ops:
            self._op = op
            handler = getattr(self, "op_" + op.name, None)
            if handler is None:
                raise self.fail(f"opcode {op.name} is not supported")
            try:
                result = handler(op.arg)
            except FormatError:
                raise
            except (IndexError, KeyError) as exc:
                raise self.fail(f"{op.name} found the stack or memo in the wrong state ({exc!r})") from None
            # AttributeError too: an opcode applied to the wrong kind of object (BUILD on a list)
            except (TypeError, ValueError, OverflowError, ArithmeticError, AttributeError) as exc:
                raise self.fail(f"{op.name} could not be applied: {exc}") from None
            if op.name == "STOP":
                held = [a for name, a in self.deferred.items() if name not in self.benign or name in self.misused]
                if held:
                    self.alarms = sorted([*self.alarms, *held], key=lambda alarm: alarm.op.start)
                return result
        raise self.fail("no STOP opcode")

    def fail(self, message: str) -> FormatError:
        offset = self._op.start if self._op else None
        return FormatError(message, offset=offset, format="pickle", hint="the pickle is malformed")

    @property
    def op(self) -> Op:
        """The opcode being applied (run() sets it before each handler)."""
        if self._op is None:
            raise RuntimeError("no opcode is being applied")
        return self._op

    # -- helpers
    def push(self, value: Any) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise FormatError(
                "the pickle builds too many values",
                offset=self.op.start,
                format="pickle",
                hint="raise FORMATLENS_MAX_NODES",
            )
        self.stack.append(value)

    def pop_mark(self) -> list[Any]:
        at = self.marks.pop()
        items = self.stack[at:]
        del self.stack[at:]
        return items

    def alarm(self, message: str, dotted: str, code: str) -> None:
        self.alarms.append(Alarm(self.op, message, dotted in self.trusted, code, dotted))

    def call(self, func: Any, args: Any, kind: str = "!call", kwargs: dict | None = None) -> Any:
        if (
            isinstance(func, GlobalRef)
            and isinstance(args, (list, tuple))
            and len(args) == 2
            and isinstance(args[0], GlobalRef)
            and (func.dotted, args[0].dotted, args[1]) == _ZONEINFO_GETATTR
            and not kwargs
        ):
            self.benign.update(_ZONEINFO_GETATTR[:2])
            note = "time zones rebuilt by name as zoneinfo.ZoneInfo(key): a lookup in the tz database, nothing runs"
            if note not in self.infos:
                self.infos.append(note)
            return GlobalRef("zoneinfo", "ZoneInfo._unpickle")
        if isinstance(func, GlobalRef) and func.dotted in self.deferred:
            self.misused.add(func.dotted)
        if isinstance(func, GlobalRef) and func.dotted in REBUILDERS and not kwargs:
            try:
                return REBUILDERS[func.dotted](*args)
            # Arguments of the wrong kind (a GlobalRef or call node where text was expected) fail in these ways.
            except (TypeError, ValueError, ArithmeticError, AttributeError, LookupError) as exc:
                self.notes.append(f"{func.dotted}{_short(args)} could not be rebuilt ({exc}); shown as a call")
        if isinstance(func, GlobalRef) and func.dotted == "copyreg._reconstructor":
            return self._reconstructor(args)
        name = func.dotted if isinstance(func, GlobalRef) else _short(func)
        node = CallNode({kind: name, "args": list(args) if isinstance(args, (list, tuple)) else args})
        if kwargs:
            node["kwargs"] = kwargs
        verb = "creates an object of" if kind == "!new" else "calls"
        code = "pickle.new" if kind == "!new" else "pickle.call"
        self.alarm(f"{self.op.name} {verb} {name}{_short(args)}: {why_dangerous(name)}", name, code)
        return node

    def _reconstructor(self, args: Any) -> Any:
        cls, _base, state = ([*list(args), None, None, None])[:3]
        dotted = cls.dotted if isinstance(cls, GlobalRef) else _short(cls)
        if dotted == "uuid.UUID":  # its state arrives with the next BUILD
            return CallNode({"!new": "uuid.UUID", "args": [], "_pending": True})
        if isinstance(cls, GlobalRef) and dotted in REBUILDERS and state is not None:
            return REBUILDERS[dotted](state)
        self.alarm(
            f"copyreg._reconstructor creates an object of {dotted}: {why_dangerous(dotted)}", dotted, "pickle.new"
        )
        node = CallNode({"!new": dotted, "args": []})
        if state is not None:
            node["state"] = state
        return node

    def global_ref(self, module: str, name: str) -> GlobalRef:
        # Protocols 0-2 may name Python 2 modules (__builtin__, copy_reg): map them as pickle does.
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        ref = GlobalRef(module, name)
        if ref.dotted in _ZONEINFO_GETATTR[:2]:
            message = f"{self.op.name} imports {ref.dotted}: {why_dangerous(ref.dotted)}"
            alarm = Alarm(self.op, message, ref.dotted in self.trusted, "pickle.global", ref.dotted)
            self.deferred.setdefault(ref.dotted, alarm)
        elif ref.dotted not in ALLOWLIST:
            self.alarm(f"{self.op.name} imports {ref.dotted}: {why_dangerous(ref.dotted)}", ref.dotted, "pickle.global")
        return ref

    # -- framing and markers
    def op_PROTO(self, arg):
        self.protocol = arg

    def op_FRAME(self, arg):
        pass

    def op_STOP(self, arg):
        return self.stack.pop()

    def op_MARK(self, arg):
        self.marks.append(len(self.stack))

    def op_POP(self, arg):
        if self.stack:
            self.stack.pop()
        else:
            self.pop_mark()

    def op_POP_MARK(self, arg):
        self.pop_mark()

    def op_DUP(self, arg):
        self.push(self.stack[-1])

    # -- scalars
    def _scalar(self, arg):
        self.push(arg)

    op_INT = op_BININT = op_BININT1 = op_BININT2 = op_LONG = op_LONG1 = op_LONG4 = _scalar
    op_FLOAT = op_BINFLOAT = _scalar
    op_UNICODE = op_SHORT_BINUNICODE = op_BINUNICODE = op_BINUNICODE8 = _scalar
    op_STRING = op_BINSTRING = op_SHORT_BINSTRING = _scalar

    def op_BINBYTES(self, arg):
        self.push(bytes(arg))

    op_SHORT_BINBYTES = op_BINBYTES8 = op_BINBYTES

    def op_BYTEARRAY8(self, arg):
        self.push(bytearray(arg))

    def op_NONE(self, arg):
        self.push(None)

    def op_NEWTRUE(self, arg):
        self.push(True)

    def op_NEWFALSE(self, arg):
        self.push(False)

    def op_NEXT_BUFFER(self, arg):
        self.notes.append("the pickle expects an out-of-band buffer (protocol 5); shown as a placeholder")
        self.push(CallNode({"!buffer": "out-of-band"}))

    def op_READONLY_BUFFER(self, arg):
        pass

    # -- containers
    def op_EMPTY_LIST(self, arg):
        self.push([])

    def op_EMPTY_TUPLE(self, arg):
        self.push(())

    def op_EMPTY_DICT(self, arg):
        self.push({})

    def op_EMPTY_SET(self, arg):
        self.push(set())

    def op_LIST(self, arg):
        self.push(self.pop_mark())

    def op_TUPLE(self, arg):
        self.push(tuple(self.pop_mark()))

    def op_TUPLE1(self, arg):
        self.stack[-1:] = [tuple(self.stack[-1:])]

    def op_TUPLE2(self, arg):
        self.stack[-2:] = [tuple(self.stack[-2:])]

    def op_TUPLE3(self, arg):
        self.stack[-3:] = [tuple(self.stack[-3:])]

    def op_DICT(self, arg):
        items = self.pop_mark()
        self.push(dict(zip(items[::2], items[1::2])))

    def op_FROZENSET(self, arg):
        self.push(frozenset(self.pop_mark()))

    def op_APPEND(self, arg):
        item = self.stack.pop()
        self._extend(self.stack[-1], [item])

    def op_APPENDS(self, arg):
        items = self.pop_mark()
        self._extend(self.stack[-1], items)

    def _extend(self, target, items):
        self.budget -= len(items)
        if isinstance(target, CallNode):
            target.setdefault("items", []).extend(items)
        elif isinstance(target, (list, collections.deque)):
            target.extend(items)
        else:
            raise TypeError(f"cannot append to {type(target).__name__}")

    def op_SETITEM(self, arg):
        value = self.stack.pop()
        key = self.stack.pop()
        self._set_items(self.stack[-1], [key, value])

    def op_SETITEMS(self, arg):
        items = self.pop_mark()
        self._set_items(self.stack[-1], items)

    def _set_items(self, target, items):
        self.budget -= len(items)
        if isinstance(target, CallNode):
            target = target.setdefault("setitems", {})
        if not isinstance(target, dict):
            raise TypeError(f"cannot set items on {type(target).__name__}")
        for key, value in zip(items[::2], items[1::2]):
            target[key] = value

    def op_ADDITEMS(self, arg):
        items = self.pop_mark()
        target = self.stack[-1]
        if isinstance(target, CallNode):
            target.setdefault("items", []).extend(items)
        else:
            target.update(items)

    # -- memo
    def op_PUT(self, arg):
        self.memo[arg] = self.stack[-1]

    op_BINPUT = op_LONG_BINPUT = op_PUT

    def op_MEMOIZE(self, arg):
        self.memo[len(self.memo)] = self.stack[-1]

    def op_GET(self, arg):
        if arg not in self.memo:
            raise self.fail(f"memo entry {arg} is read before it is written")
        self.push(self.memo[arg])

    op_BINGET = op_LONG_BINGET = op_GET

    # -- imports, calls and objects: never executed
    def op_GLOBAL(self, arg):
        module, name = arg.split(" ", 1) if " " in arg else (arg, "")
        self.push(self.global_ref(module, name))

    def op_STACK_GLOBAL(self, arg):
        name = self.stack.pop()
        module = self.stack.pop()
        if not (isinstance(module, str) and isinstance(name, str)):
            raise self.fail("STACK_GLOBAL needs two strings")
        self.push(self.global_ref(module, name))

    def op_REDUCE(self, arg):
        args = self.stack.pop()
        func = self.stack.pop()
        self.push(self.call(func, args))

    def op_NEWOBJ(self, arg):
        args = self.stack.pop()
        cls = self.stack.pop()
        self.push(self._new(cls, args))

    def op_NEWOBJ_EX(self, arg):
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        self.push(self._new(cls, args, kwargs))

    def _new(self, cls, args, kwargs=None):
        if isinstance(cls, GlobalRef) and cls.dotted == "uuid.UUID":
            return CallNode({"!new": "uuid.UUID", "args": list(args), "_pending": True})
        if isinstance(cls, GlobalRef) and cls.dotted in REBUILDERS and not kwargs:
            return self.call(cls, args)
        return self.call(cls, args, "!new", kwargs)

    def op_INST(self, arg):
        module, name = arg.split(" ", 1)
        args = self.pop_mark()
        self.push(self.call(self.global_ref(module, name), tuple(args)))

    def op_OBJ(self, arg):
        items = self.pop_mark()
        cls, args = items[0], tuple(items[1:])
        self.push(self.call(cls, args))

    def op_BUILD(self, arg):
        state = self.stack.pop()
        target = self.stack[-1]
        if isinstance(target, CallNode) and target.pop("_pending", False):
            rebuilt = _uuid_from_state(state)
            if rebuilt is not None:
                self._replace(target, rebuilt)
                return
        if isinstance(target, CallNode):
            target["state"] = state
        elif isinstance(target, dict) and isinstance(state, dict):
            target.update(state)
        else:
            self.notes.append(f"BUILD state for {type(target).__name__} ignored")

    def _replace(self, old: Any, new: Any) -> None:
        self.stack[-1] = new
        for key, value in self.memo.items():
            if value is old:
                self.memo[key] = new

    def op_PERSID(self, arg):
        self.push(self._persistent(arg))

    def op_BINPERSID(self, arg):
        self.push(self._persistent(self.stack.pop()))

    def _persistent(self, pid):
        self.alarm(
            f"{self.op.name} asks the application's persistent_load for {pid!r}", "persistent_load", "pickle.persistent"
        )
        return CallNode({"!persistent_id": pid})

    def op_EXT1(self, arg):
        self.alarm(
            f"{self.op.name} imports extension code {arg} from the copyreg registry",
            "copyreg.extension",
            "pickle.extension",
        )
        self.push(CallNode({"!extension": arg}))

    op_EXT2 = op_EXT4 = op_EXT1


def _uuid_from_state(state: Any) -> uuid.UUID | None:
    if isinstance(state, dict) and isinstance(state.get("int"), int):
        try:
            return uuid.UUID(int=state["int"])
        except ValueError:
            return None
    return None


def _short(value: Any, width: int = 60) -> str:
    text = value.dotted if isinstance(value, GlobalRef) else repr(value)
    if isinstance(value, tuple):
        text = "(" + ", ".join(_short(v, 30) for v in value) + ("," if len(value) == 1 else "") + ")"
    return text if len(text) <= width else text[: width - 3] + "..."


class _OutsideAllowlist(Exception):
    """The fast path met something it must not build: the stack machine takes over."""


def _reconstruct(cls: Any, base: Any, state: Any = None) -> Any:
    # copyreg._reconstructor for protocols 0-1, limited to allowlisted classes (find_class saw to that).
    if base is object:
        return object.__new__(cls)
    return base.__new__(cls, state) if state is not None else base.__new__(cls)


class _DataOnlyUnpickler(pickle.Unpickler):
    """The C unpickler, allowed to find allowlisted names only.

    find_class is the one place the unpickler imports anything; here it hands out
    the allowlisted rebuilders and refuses everything else, so nothing outside the
    allowlist is ever imported or called. Pure-data pickles rebuild at C speed.
    """

    def __init__(self, stream: BytesIO) -> None:
        super().__init__(stream)
        self.imports: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        dotted = f"{module}.{name}"
        self.imports.add(dotted)
        if dotted in REBUILDERS:
            return REBUILDERS[dotted]
        if dotted == "copyreg._reconstructor":
            return _reconstruct
        if dotted == "builtins.object":
            return object
        raise _OutsideAllowlist(dotted)

    def persistent_load(self, pid: Any) -> Any:
        raise _OutsideAllowlist("persistent_load")


def fast_rebuild(data: bytes) -> tuple[Any, set[str], int] | None:
    """(value, imported names, trailing bytes) for a pickle of allowlisted data only, else None."""
    stream = BytesIO(data)
    unpickler = _DataOnlyUnpickler(stream)
    try:
        value = unpickler.load()
    except Exception:  # outside the allowlist, or malformed: the stack machine explains which
        return None
    return value, unpickler.imports, len(data) - stream.tell()


def rebuild(data: bytes, *, trusted: frozenset[str] = frozenset(), max_nodes: int = 2_000_000) -> Rebuild:
    """Parse and rebuild a pickle with the stack machine; raise FormatError if it is malformed."""
    ops, trailing = parse_ops(data)
    machine = Machine(ops, trusted, max_nodes)
    value = machine.run()
    return Rebuild(value, ops, machine.alarms, machine.notes, machine.protocol, trailing, machine.infos)
