"""Avro, Parquet and Protocol Buffers through formatlens against their own libraries, side by side.

    python bench/schema_formats.py [--rows 100000] [--repeat 5] [--big-gb 1.0]

1. load(...).value of a 100,000-row Parquet / Avro file vs pyarrow's / fastavro's own read of the
   same bytes into Python records (target: at most 1.10x).
2. Document.schema of that Parquet file vs pyarrow.parquet.ParquetFile(...).schema_arrow (target: 5x),
   and the bytes read to show the schema and layout of a --big-gb Parquet file (only its footer).
3. The schemaless Protocol Buffers decoder, value and spans, vs blackboxprotobuf on the same messages
   (target: ratio at most 1.0).
4. The first view of a --first-view-mib message read with its .proto (bench/upload_to_view.py's users
   file: a worker's isolation.load_everything(..., light=True), in this process) vs the protobuf
   library's ParseFromString of the same bytes; and the same first view made from the whole converted
   value, as it was before the census and head of codecs.protobuf.glance (the codec's path for a schema
   that may hold an Any).

    python bench/schema_formats.py --sections 4 [--first-view-mib 46] [--repeat 3]

Each pair is timed in alternation in one run; ratios are formatlens / the peer.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import blackboxprotobuf
import fastavro
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "samples"), str(ROOT / "bench")]

from timing import compare  # noqa: E402

import formatlens as fl  # noqa: E402
from formatlens.analysis.samples import users  # noqa: E402
from formatlens.codecs.parquet import read_footer  # noqa: E402


def row(name: str, timings: tuple[float, float], peer: str) -> None:
    ours, theirs = timings
    unit, scale = ("ms", 1e3) if theirs > 1e-3 else ("us", 1e6)
    print(
        f"  {name:<34} formatlens {ours * scale:9.1f} {unit}   {peer:<28} {theirs * scale:9.1f} {unit}   "
        f"ratio {ours / theirs:5.2f}"
    )


class CountingFile(io.RawIOBase):
    """A file that counts the bytes read through it."""

    def __init__(self, path: str) -> None:
        self.file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def tell(self) -> int:
        return self.file.tell()

    def readinto(self, buffer) -> int:
        n = self.file.readinto(buffer)
        self.bytes_read += n
        return n

    def close(self) -> None:
        self.file.close()
        super().close()


def big_parquet(path: str, gigabytes: float) -> None:
    """Incompressible int64 columns, written a row group at a time to keep memory low."""
    rng = np.random.default_rng(7)
    rows_per_group = 4_000_000  # 4 columns x 8 bytes x 4M = 128 MB per row group
    groups = max(1, round(gigabytes * 1024**3 / (rows_per_group * 32)))
    schema = pa.schema([(f"c{i}", pa.int64()) for i in range(4)])
    with pq.ParquetWriter(path, schema, compression="none") as writer:
        for _ in range(groups):
            columns = [pa.array(rng.integers(0, 2**62, rows_per_group)) for _ in range(4)]
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--big-gb", type=float, default=1.0)
    parser.add_argument("--sections", default="1234", help="which sections to run, e.g. 4 (1 and 2 run together)")
    parser.add_argument("--first-view-mib", type=float, default=46)
    args = parser.parse_args()
    if "1" in args.sections or "2" in args.sections:
        schema_files(args)
    if "3" in args.sections:
        schemaless_protobuf(args)
    if "4" in args.sections:
        first_view_with_schema(args)


def schema_files(args: argparse.Namespace) -> None:
    records = users(args.rows)
    print(f"1. records of {args.rows:,} users (median of {args.repeat}, alternating)")
    parquet_data = fl.dump(records, "parquet")
    row(
        f"Parquet ({len(parquet_data):,} bytes)",
        compare(
            lambda d=parquet_data: fl.load(d).value,
            lambda d=parquet_data: pq.read_table(pa.BufferReader(d)).to_pylist(),
            args.repeat,
        ),
        "pyarrow read_table+to_pylist",
    )
    for codec in ("null", "deflate"):
        avro_data = fl.dump(records, "avro", codec=codec)
        row(
            f"Avro {codec} ({len(avro_data):,} bytes)",
            compare(
                lambda d=avro_data: fl.load(d).value,
                lambda d=avro_data: list(fastavro.reader(io.BytesIO(d))),
                args.repeat,
            ),
            "fastavro reader",
        )

    print("\n2. Parquet schema without the rows")
    row(
        "load(...).schema (with detection)",
        compare(
            lambda d=parquet_data: fl.load(d).schema,
            lambda d=parquet_data: pq.ParquetFile(pa.BufferReader(d)).schema_arrow,
            args.repeat * 50,
        ),
        "ParquetFile.schema_arrow",
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.parquet")
        started = time.perf_counter()
        big_parquet(path, args.big_gb)
        size = os.path.getsize(path)
        print(f"  wrote a {size / 1024**3:.2f} GiB Parquet file in {time.perf_counter() - started:.1f} s")
        counting = CountingFile(path)
        started = time.perf_counter()
        footer = read_footer(pa.PythonFile(counting, mode="r"))
        spans = footer.spans()
        elapsed = time.perf_counter() - started
        print(
            f"  schema + layout + {len(spans)} top-level spans: read {counting.bytes_read:,} of {size:,} bytes "
            f"({counting.bytes_read / size:.6%}) in {elapsed * 1e3:.1f} ms"
        )
        counting.close()


def schemaless_protobuf(args: argparse.Namespace) -> None:
    print("\n3. Protocol Buffers without a schema: value and spans")
    # (run after sections 1 and 2 have freed their records: a large unrelated heap makes every garbage
    # collection slower, and the side that allocates more objects (formatlens builds spans) would pay for it)
    gc.collect()
    few = users(2000)
    for count in (100, 2000):
        message = fl.convert_value(few[:count], "protobuf").data

        def ours(data=message):
            document = fl.load(data, "protobuf")
            return document.value, document.spans

        row(
            f"{count:,} users ({len(message):,} bytes)",
            compare(ours, lambda data=message: blackboxprotobuf.decode_message(data), args.repeat * 3),
            "blackboxprotobuf",
        )


ORDERS_PROTO = """syntax = "proto3";
package bench;
message Line { string sku = 1; int32 quantity = 2; map<string, string> notes = 3; }
message Order { int64 id = 1; string customer = 2; repeated Line lines = 3; }
message Orders { repeated Order orders = 1; }
"""
"""Records the census must visit one by one (a list of nested records, a map): the glance's slower case."""


def orders(mib: float) -> Path:
    """A file of about ``mib`` MiB of Orders, written by the protobuf library (cached beside upload_to_view's)."""
    from upload_to_view import CACHE

    from formatlens.codecs.protobuf.codec import compile_proto

    path = CACHE / f"orders-{mib:g}MiB.pb"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        made = compile_proto(ORDERS_PROTO).message_class("bench.Orders")()
        i = 0
        while made.ByteSize() < mib * 2**20:
            for _ in range(10_000):
                order = made.orders.add(id=i, customer=f"customer {i % 977}")
                for k in range(i % 4):
                    line = order.lines.add(sku=f"sku-{(i * 7 + k) % 5000}", quantity=k + 1)
                    if k == 2:
                        line.notes["gift"] = "yes"
                i += 1
        path.write_bytes(made.SerializeToString())
    return path


def first_view_with_schema(args: argparse.Namespace) -> None:
    from upload_to_view import make_input

    from formatlens.runtime.isolation import WorkerPool

    path, proto = make_input("protobuf", args.first_view_mib)
    inputs = [(path, proto, "formatlens.inferred.Record"), (orders(args.first_view_mib), ORDERS_PROTO, "bench.Orders")]
    workers = WorkerPool(workers=1)
    try:
        for path, proto, name in inputs:
            first_view_of(path, proto, name, workers, args.repeat)
    finally:
        workers.close()


def first_view_of(path: Path, proto: str, name: str, workers: Any, repeat: int) -> None:
    from formatlens.codecs.protobuf import codec as protobuf
    from formatlens.codecs.protobuf.codec import compile_proto
    from formatlens.runtime.isolation import load_everything

    data = path.read_bytes()
    options = {"schema": proto, "message": name}
    message_class = compile_proto(proto).message_class(name)

    def parse() -> None:
        message_class().ParseFromString(data)

    def first_view() -> bytes:
        return load_everything(data, "protobuf", options, light=True)[2]

    def whole_first_view() -> bytes:
        # The path of a message whose schema may hold an Any: the value made at once, as every message was
        # (patching LARGE instead would also walk the whole message for its spans)
        summed_up, protobuf.reaches_any = protobuf.reaches_any, lambda _descriptor: True
        try:
            return load_everything(data, "protobuf", options, light=True)[2]
        finally:
            protobuf.reaches_any = summed_up

    print(f"\n4. first view of a {len(data) / 2**20:.0f} MiB message read with its .proto ({path.name}, {name})")
    row("first view (census + head)", compare(first_view, parse, repeat), "ParseFromString")
    row("first view (whole value: before)", compare(whole_first_view, parse, repeat), "ParseFromString")
    # As the app gets it: in a worker process, the first view pickled back to this one (bench/upload_to_view.py
    # uploads its .pb without the .proto: the app reads it without a schema, so it does not time this path)
    try:
        in_worker = compare(lambda: workers.load(data, "protobuf", **options), parse, repeat)
    except fl.FormatError as refused:  # a worker over its limits on a loaded machine: said, not a traceback
        print(f"  WorkerPool.load (in a worker)      refused: {refused}")
        return
    row("WorkerPool.load (in a worker)", in_worker, "ParseFromString")


if __name__ == "__main__":
    main()
