"""Pickle: the codec (codec.py) and the unpickling machine that imports and calls nothing (unpickler.py)."""
