"""Layers: the wrappers real systems put around the bytes, peeled before a codec runs.

Schema-id framing (Confluent Schema Registry, Avro single-object), gRPC and gRPC-web
framing, length-prefixed streams (varint, 4-byte big/little-endian), JSON Lines,
compression (gzip, zlib, bz2, xz, zstd, LZ4 frame, Snappy framed) and text armor
(base64, hex, data: URLs). Streams that a codec reads itself (concatenated BSON,
CBOR sequences, MessagePack streams, multi-document YAML) and Avro containers are
reported as layers too. ``fl.load(data)`` peels; ``fl.load(data, peel=False)`` does not.

- base.py: the layer contract (LayerCodec, Peeled, Frame)
- registry.py: the layers by kind
- peel.py: the driver
- armor.py, compression.py, framing.py, schema_ids.py: the layers, one family each
- registry_client.py: fetching a schema by id from a Confluent Schema Registry
"""
