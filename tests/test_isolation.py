"""Decoding in worker processes: results come back whole; crashes, memory and time limits become FormatErrors."""

import ctypes
import os
import time

import pytest

import formatlens as fl
from formatlens.runtime.isolation import WorkerPool

from .conftest import SAMPLES


def crash() -> None:
    ctypes.string_at(0)  # a segfault, as a broken C extension would cause


def allocate() -> bytes:
    return b"x" * (3 * 1024**3)


def spin() -> None:
    while True:
        pass


def sleep() -> None:
    time.sleep(60)


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(workers=2, memory_mb=1024)
    yield pool
    pool.close()


@pytest.fixture
def one_worker():
    """Makes a one-worker pool when called: after the test has set its environment (a pool reads
    FORMATLENS_QUEUE_SECONDS when it is made). Each is closed when the test ends."""
    made: list[WorkerPool] = []

    def make() -> WorkerPool:
        made.append(WorkerPool(workers=1, memory_mb=1024))
        return made[-1]

    yield make
    for pool in made:
        pool.close()


def test_a_document_comes_back_whole(pool):
    data = (SAMPLES / "users.parquet").read_bytes()
    document = pool.load(data)
    assert document.format == "parquet" and len(document.value) == 100
    assert document.spans[-1].end == len(data) and document.table.num_rows == 100
    assert document.schema.kind == "parquet"


def test_format_errors_come_back_as_themselves(pool):
    with pytest.raises(fl.FormatError, match="Expecting value") as info:
        pool.load(b'{"a": }', "json")
    assert info.value.offset == 6


def test_a_crash_is_a_format_error_and_the_pool_recovers(pool):
    with pytest.raises(fl.FormatError, match="worker process died"):
        pool.run(crash)
    assert pool.load(b"[1, 2]").value == [1, 2]


def test_memory_limit(pool):
    with pytest.raises(fl.LimitExceeded, match="FORMATLENS_WORKER_MEMORY_MB"):
        pool.run(allocate)
    assert pool.load(b"[1]").value == [1]


def test_cpu_and_wall_time_limits(pool, monkeypatch):
    monkeypatch.setenv("FORMATLENS_MAX_DECODE_SECONDS", "1")
    with pytest.raises(fl.FormatError):
        pool.run(spin)
    with pytest.raises(fl.LimitExceeded, match="FORMATLENS_MAX_DECODE_SECONDS"):
        pool.run(sleep)
    monkeypatch.delenv("FORMATLENS_MAX_DECODE_SECONDS")
    assert pool.load(b"[3]").value == [3]


def test_malicious_pickle_in_a_worker_never_runs(pool, marker):
    import pickle

    class Payload:
        def __reduce__(self):
            import os

            return (os.system, (f"touch {marker}",))

    document = pool.load(pickle.dumps(Payload()))
    assert any(f.severity == "danger" for f in document.findings)


def buggy() -> None:
    raise KeyError("a bug in a task")


def test_a_bug_in_a_worker_comes_back_as_an_internal_error(pool):
    with pytest.raises(fl.InternalError, match="KeyError") as caught:
        pool.run(buggy)
    assert not isinstance(caught.value, fl.FormatError)
    assert "buggy" in caught.value.report  # the worker's traceback, for a bug report


def test_replacing_a_pool_twice_is_harmless():
    """Two sessions that time out on the same executor both replace it (seen with 10 sessions per replica)."""
    from concurrent.futures import ProcessPoolExecutor

    pool = WorkerPool(workers=1)
    broken = ProcessPoolExecutor(max_workers=1)
    assert broken.submit(int, "7").result(timeout=60) == 7
    pool._replace(broken)
    pool._replace(broken)  # raised AttributeError: 'NoneType' object has no attribute 'values'
    assert pool.load(b'{"a": 1}').value == {"a": 1}


_HEAP_PROBE = """
import sys
from formatlens.runtime.allocator import fix_mmap_threshold
if sys.argv[1] == "fixed":
    assert fix_mmap_threshold() is True
big = bytes(20 << 20)
del big  # freeing a 20 MiB mapped block raises glibc's dynamic threshold to 20 MiB
buffer = bytes(2 << 20)
heap = next(line for line in open("/proc/self/maps") if line.rstrip().endswith("[heap]"))
low, high = (int(part, 16) for part in heap.split()[0].split("-"))
print("heap" if low <= id(buffer) < high else "mapped")
"""


@pytest.mark.parametrize(("how", "where"), [("dynamic", "heap"), ("fixed", "mapped")])
def test_the_server_gives_big_buffers_back(how, where):
    """With the threshold fixed (the server, allocator.py) a 2 MiB buffer is mapped on its own, so freeing
    it gives the memory back; with glibc's dynamic threshold it comes from the heap after a big free."""
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key != "MALLOC_MMAP_THRESHOLD_"}
    done = subprocess.run([sys.executable, "-c", _HEAP_PROBE, how], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == where


def test_an_operators_malloc_setting_wins(monkeypatch):
    from formatlens.runtime.allocator import fix_mmap_threshold

    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert fix_mmap_threshold() is False


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_the_wall_time_limit_counts_a_tasks_run_not_its_wait_for_a_worker(monkeypatch, one_worker):
    # One worker, a 1 s budget: the wall-time bound is 2 x 1 + 2 = 4 s. Three 2 s tasks at once: each
    # runs 2 s (2 s under the bound); the third waits 4 s for the worker, so counted from its submission
    # it would pass the bound by 2 s and be stopped (and the pool replaced under the others).
    import threading

    monkeypatch.setenv("FORMATLENS_MAX_DECODE_SECONDS", "1")
    single = one_worker()
    assert single.run(nap, 0) == 0  # the worker is started before the clock matters
    results: list[object] = []

    def one() -> None:
        try:
            results.append(single.run(nap, 2))
        except fl.FormatError as error:
            results.append(error)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [2, 2, 2]


def test_a_task_that_finds_no_free_worker_in_time_is_told_the_server_is_busy(monkeypatch, one_worker):
    monkeypatch.setenv("FORMATLENS_QUEUE_SECONDS", "0.5")
    single = one_worker()
    assert single._slots.acquire(timeout=5)  # another session's task holds the only worker
    with pytest.raises(fl.LimitExceeded, match="server is busy") as info:
        single.run(nap, 0)
    assert "FORMATLENS_WORKERS" in info.value.hint
    single._slots.release()
    assert single.run(nap, 0) == 0  # the slot was not lost


def test_a_pool_broken_by_another_sessions_worker_is_replaced_not_shown_as_a_traceback(one_worker):
    # A worker killed outside any task (another session's crash, the OOM killer) leaves the executor
    # broken until someone replaces it; the next task must get a fresh pool, not a raw BrokenProcessPool.
    import signal

    single = one_worker()
    assert single.run(int, "7") == 7
    executor = single._executor
    for process in list(executor._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
    for _ in range(200):  # the executor notices the death on its own thread
        if executor._broken:
            break
        time.sleep(0.05)
    assert executor._broken
    assert single.run(int, "8") == 8


def test_a_task_that_waits_on_the_network_gets_its_own_wall_time_and_message(monkeypatch, one_worker):
    # A 1 s CPU budget gives a 4 s wall bound: a remote read may wait longer (run_waiting), and one that
    # overruns even that is named as a slow host, not as a slow decode.
    monkeypatch.setenv("FORMATLENS_MAX_DECODE_SECONDS", "1")
    single = one_worker()
    assert single.run(nap, 0) == 0
    assert single.run_waiting(9, nap, 5) == 5  # over run()'s 4 s, asleep: no CPU spent
    with pytest.raises(fl.LimitExceeded, match="the remote host is slow") as info:
        single.run_waiting(0.5, nap, 30)  # the 4 s bound still applies
    assert "FORMATLENS_REMOTE_READ_SECONDS" in info.value.hint


def test_a_task_runs_with_the_garbage_collector_paused_and_leaves_it_as_it_found_it(pool):
    import gc

    from formatlens.runtime.isolation import _run

    assert pool.run(gc.isenabled) is False  # in a worker: no collection walks the tree a decode builds
    assert gc.isenabled() is True
    assert _run(gc.isenabled, 10, (), {}) is False
    assert gc.isenabled() is True


def test_a_tasks_value_is_freed_after_its_result_has_gone_back_or_when_the_next_task_starts():
    import weakref

    from formatlens.runtime.isolation import FREE_AFTER, _run, free_later

    class Tree(list):
        pass

    tree = Tree([[1, 2], [3]])
    gone = weakref.ref(tree)
    thread = free_later(tree)
    del tree
    assert gone() is not None  # still held: freeing it must not delay the result
    thread.join(timeout=FREE_AFTER + 5)
    assert gone() is None
    again = Tree([1])
    gone = weakref.ref(again)
    free_later(again)
    del again
    assert _run(len, 10, (b"abc",), {}) == 3
    assert gone() is None  # the next task started: freed first, never held alongside its value


def test_a_first_view_keeps_older_objects_from_the_collector_until_the_page_is_drawn():
    import gc

    from formatlens.runtime.gcpause import postpone_full_collection

    gc.unfreeze()  # (another test's first view may have frozen them a moment ago)
    timer = postpone_full_collection(0.2)
    assert gc.get_freeze_count() > 1000  # the objects alive now: a full collection does not walk them
    timer.join(timeout=5)
    assert gc.get_freeze_count() == 0  # then walked again


def test_a_large_inputs_first_view_postpones_the_servers_full_collection(pool):
    import gc
    import json

    gc.unfreeze()
    data = json.dumps([{"id": i, "name": f"user {i}"} for i in range(60_000)]).encode()
    assert len(data) > 1 << 20
    document = pool.load(data)
    assert document.first_view is not None
    assert gc.get_freeze_count() > 1000
    gc.unfreeze()
    small = pool.load(b'{"a": 1}')
    assert (small.first_view, gc.get_freeze_count()) == (None, 0)


def test_large_bytes_go_to_a_worker_through_a_file_in_memory_and_the_file_is_removed(pool, monkeypatch, tmp_path):
    import zlib

    from formatlens.runtime import isolation

    monkeypatch.setattr(isolation, "SHIP_DIR", str(tmp_path))  # its own folder (others' tests share /dev/shm)
    big = os.urandom(isolation.SHIP_FROM + 7)
    with isolation.shipped((big, b"small", "text", 3)) as sent:
        assert isinstance(sent[0], isolation.Shipped) and sent[1:] == (b"small", "text", 3)
        assert sent[0].read() == big
        assert os.listdir(tmp_path) == [os.path.basename(sent[0].path)]
    assert os.listdir(tmp_path) == []
    assert pool.run(zlib.crc32, big) == zlib.crc32(big)
    with pytest.raises(fl.FormatError):
        pool.run(fl.load, b"{" + big, "json")  # a refusal: the file goes all the same
    assert os.listdir(tmp_path) == []


def test_without_a_memory_file_system_the_bytes_go_through_the_pipe(pool, monkeypatch, tmp_path):
    import zlib

    from formatlens.runtime import isolation

    monkeypatch.setattr(isolation, "SHIP_DIR", str(tmp_path / "missing"))
    big = os.urandom(isolation.SHIP_FROM)
    with isolation.shipped((big,)) as sent:
        assert sent == (big,)
    assert pool.run(zlib.crc32, big) == zlib.crc32(big)


def test_a_worker_that_cannot_start_the_freeing_thread_frees_now_and_keeps_its_result(monkeypatch):
    # Near RLIMIT_AS a new thread's stack cannot be reserved ("can't start new thread"): the decode
    # succeeded, so the value is freed at once instead of the result becoming a bug report (found by review).
    import threading
    import weakref

    from formatlens.runtime import isolation

    def refuse(self):
        raise RuntimeError("can't start new thread")

    class Tree(list):
        pass

    monkeypatch.setattr(threading.Thread, "start", refuse)
    tree = Tree([1, 2])
    gone = weakref.ref(tree)
    assert isolation.free_later(tree) is None
    del tree
    assert gone() is None


def test_a_shipped_file_already_removed_does_not_replace_the_tasks_result(monkeypatch, tmp_path):
    from formatlens.runtime import isolation

    monkeypatch.setattr(isolation, "SHIP_DIR", str(tmp_path))
    with isolation.shipped((b"x" * isolation.SHIP_FROM,)) as sent:
        os.unlink(sent[0].path)  # a tmp cleaner got there first
        result = "kept"
    assert result == "kept" and os.listdir(tmp_path) == []


def test_a_shipped_argument_that_does_not_fit_in_memory_is_a_limit_not_a_bug(monkeypatch, tmp_path):
    from formatlens.runtime import isolation

    monkeypatch.setattr(isolation, "SHIP_DIR", str(tmp_path))

    def no_memory(self):
        raise MemoryError

    monkeypatch.setattr(isolation.Shipped, "read", no_memory)
    with isolation.shipped((b"x" * isolation.SHIP_FROM,)) as sent, pytest.raises(fl.LimitExceeded):
        isolation._run(len, 10, sent, {})


def allocators() -> tuple[str, str | None]:
    import pyarrow

    return pyarrow.default_memory_pool().backend_name, os.environ.get("MALLOC_ARENA_MAX")


def address_space_mb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmSize:"))


def test_a_worker_gives_back_the_address_space_parquet_reads_took():
    # A worker's address space is capped (RLIMIT_AS, 2 GB by default). Arrow's default allocator, mimalloc,
    # kept a 1 GiB arena after a large read: a worker that had read a 45 MiB Parquet file held 1.7 GB ever
    # after, and the next large upload it was given was refused as needing more memory than allowed. glibc's
    # per-thread arenas (pyarrow's thread pools) kept reserving more, read after read.
    import io

    import pyarrow
    import pyarrow.parquet as pq

    rows = 400_000
    table = pyarrow.table({"id": range(rows), "email": [f"user.{i}@example.org" for i in range(rows)]})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    pool = WorkerPool(workers=1, memory_mb=2048)
    try:
        assert pool.run(allocators) == ("system", "2")
        before = pool.run(address_space_mb)
        grown = []
        for _ in range(8):
            document = pool.load(sink.getvalue(), "parquet")
            assert document.first_view["shape"] == f"{rows:,} rows × 2 columns"
            grown.append(pool.run(address_space_mb) - before)
        print("address space grown by (MB):", grown)
        assert grown[-1] < 400
    finally:
        pool.close()


def test_a_worker_takes_the_detection_the_server_made_of_the_same_bytes(pool):
    # The server detects an upload before it sends it (the sidebar shows the ranking); the worker does not
    # sniff it again (0.03-0.05 s at 45 MiB). A ranking that says YAML (which reads JSON too) is followed.
    data = b'{"id": 1, "tags": ["a"]}'
    assert fl.detect(data, "x.json")[0][0] == "json"
    assert pool.load(data, filename="x.json", ranking=[("yaml", 0.9)]).format == "yaml"
    assert pool.load(data, filename="x.json").format == "json"


def test_a_known_ranking_answers_for_those_very_bytes_and_name_only():
    from formatlens.core import registry

    data = b'{"id": 1}'
    with registry.known_ranking(data, "x.json", [("yaml", 0.9)]):
        assert registry.detect(data, "x.json") == [("yaml", 0.9)]
        assert registry.detect(bytes(bytearray(data)), "x.json")[0][0] == "json"  # equal bytes, another object
        assert registry.detect(data, "y.json")[0][0] == "json"
    assert registry.detect(data, "x.json")[0][0] == "json"


def test_the_sidebar_loader_hands_its_ranking_to_the_worker(monkeypatch):
    # ui.loader.decode passes the ranking the sidebar made to the pool (the worker follows it: YAML here).
    from formatlens.ui import loader

    monkeypatch.delenv("FORMATLENS_ISOLATE", raising=False)
    data = b'{"id": 1}'
    assert loader.decode(data, None, "x.json", {}, [("yaml", 0.9)]).format == "yaml"
    assert loader.decode(data, None, "x.json", {}).format == "json"
