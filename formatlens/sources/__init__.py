"""Inputs that live elsewhere: local paths, http(s), s3://, gs://, az://, read lazily by range.

- ``policy``: which URLs a shared server may fetch (the allowlist and the SSRF refusals).
- ``filesystems``: the fsspec filesystem for a path or URL (real clients, credentials from the environment).
- ``rangefile``: a seekable file over range reads that counts what it fetched.
- ``lazy``: ``open_document`` behind ``fl.open``: read what is shown, not the whole file.
- ``dataset``: a directory or glob of Parquet files (hive partitions included) as one dataset.
"""
