"""Helpers shared by several codecs: a byte walker that records spans (binwalk) and text positions (textpos)."""
