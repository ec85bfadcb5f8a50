"""Schemas compiled by protoc (grpcio-tools) for tests: the descriptor set it writes, and a pool built from it."""

from __future__ import annotations

import importlib.resources
import subprocess
import sys
from pathlib import Path

from google.protobuf import descriptor_pb2, descriptor_pool


def compiled_set(root: Path, files: dict[str, str]) -> tuple[bytes, descriptor_pool.DescriptorPool]:
    """``files`` ({name: .proto text}) written into ``root`` and compiled by protoc with the well-known types:
    the FileDescriptorSet's bytes, and a DescriptorPool of the test's own holding them."""
    for name, text in files.items():
        (root / name).write_text(text)
    include = str(importlib.resources.files("grpc_tools") / "_proto")
    out = root / "set.pb"
    protoc = [sys.executable, "-m", "grpc_tools.protoc", f"-I{root}", f"-I{include}", "--include_imports"]
    done = subprocess.run([*protoc, f"--descriptor_set_out={out}", *files], capture_output=True, cwd=root)
    assert done.returncode == 0, done.stderr
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file:
        pool.Add(file)
    return out.read_bytes(), pool
