"""Protocol Buffers: the codec (codec.py), its wire walker (wire.py) and the run-time .proto compiler."""
