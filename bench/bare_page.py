"""The floor for bench/upload_to_view.py: a bare Streamlit page that uploads a file, parses it with
the format's own library and prints its length. FORMAT (environment) names the format; for
protobuf, PROTO names a .proto file and MESSAGE the message to parse."""

import csv
import io
import json
import os
import pickle
from pathlib import Path

import streamlit as st

FORMAT = os.environ["FORMAT"]


def parse(data: bytes):
    if FORMAT == "json":
        return json.loads(data)
    if FORMAT == "yaml":
        import yaml

        return yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if FORMAT == "xml":
        import xmltodict

        return next(iter(xmltodict.parse(data).values()))
    if FORMAT == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    if FORMAT == "pickle":
        return pickle.loads(data)  # the benchmark's own file: trusted here, never in the app
    if FORMAT == "bson":
        import bson

        return bson.decode(data)["items"]
    if FORMAT == "msgpack":
        import msgpack

        return msgpack.unpackb(data)
    if FORMAT == "cbor":
        import cbor2

        return cbor2.loads(data)
    if FORMAT == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(io.BytesIO(data))
    if FORMAT == "avro":
        import fastavro

        return list(fastavro.reader(io.BytesIO(data)))
    if FORMAT == "protobuf":
        from formatlens.codecs.protobuf.codec import compile_proto

        compiled = compile_proto(Path(os.environ["PROTO"]).read_text())
        message = compiled.message_class(os.environ["MESSAGE"])()
        message.ParseFromString(data)
        return message.ListFields()[0][1]
    raise SystemExit(f"unknown format {FORMAT}")


upload = st.file_uploader("file")
if upload is not None:
    value = parse(upload.getvalue())
    st.write(f"parsed: {len(value):,} items")
