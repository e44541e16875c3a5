"""Every string the library returns is freed exactly once: counted directly,
and measured as flat RSS over 20,000 calls."""

import ctypes
import threading

import pytest

import justclick

PAYLOAD = "x" * 1000  # every answer below carries it: out_json > 1,000 bytes


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.fixture
def counted_free(client, monkeypatch):
    """Counts jc_string_free calls made by the binding (non-NULL pointers)."""
    lib = client._lib
    real = lib.jc_string_free
    freed = []

    def free(ptr):
        freed.append(ptr.value if isinstance(ptr, ctypes.c_void_p) else ptr)
        real(ptr)

    monkeypatch.setattr(lib, "jc_string_free", free)
    return freed


def test_one_free_per_returned_string(client, sandbox, counted_free):
    client.delete_order("1111")  # success, no result
    with pytest.raises(justclick.ApiError):
        client.delete_order("1111")  # API error
    client.get_bills("client@example.com")  # success with a result
    with pytest.raises(justclick.InvalidArgumentError):
        client.get_bills("not-an-email")  # rejected inside the library
    with pytest.raises(justclick.HttpStatusError):
        client.call("NoSuchMethod")
    client.update_good({"good_name": "sales", "good_sum": 1})
    client.update_order_status("300001", "cancel")
    client.call_batch([{"method": "GetAllGoods"}, {"method": "Bad Method"}])  # one string
    with pytest.raises(justclick.InvalidArgumentError):
        client.call_batch([5])  # whole-batch failure document
    assert len(counted_free) == 9
    assert all(counted_free), counted_free  # never NULL, each a real pointer
    # Rejected in Python before the library: nothing returned, nothing freed.
    with pytest.raises(justclick.InvalidArgumentError):
        client.delete_order("1\0")
    assert len(counted_free) == 9


def test_rss_stays_flat_over_20000_calls(client):
    # Bound: after a warm-up (connections, allocator pools and arenas of
    # every thread, Python caches), 20,000 calls (4 threads sharing the
    # client, 5,000 each) whose out_json strings are each over 1,000 bytes.
    # Leaking one string per call would keep >= 20,000 x 1,000 B = 19 MiB of
    # written heap resident; we allow 4 MiB for allocator and arena noise.
    # The calibration test below shows that such a leak does exceed it.
    n_threads, per_thread = 4, 5000
    params = {"p": PAYLOAD}
    warm, go = threading.Barrier(n_threads + 1), threading.Barrier(n_threads + 1)
    errors = []

    def worker():
        try:
            for _ in range(500):
                client.call("SandboxEcho", params)
            warm.wait()
            go.wait()
            for i in range(per_thread):
                r = client.call("SandboxEcho", params)
                if i % 1000 == 0:
                    assert r == params
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
            warm.abort()
            go.abort()

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for th in threads:
        th.start()
    warm.wait()
    before = rss_kib()
    go.wait()
    for th in threads:
        th.join()
    grown = rss_kib() - before
    assert not errors, errors
    print(f"RSS grew {grown} KiB over 20,000 calls")
    assert grown < 4 * 1024, f"RSS grew {grown} KiB over 20,000 calls"


def test_calibration_a_leak_is_visible(client, sandbox):
    # The same measurement with the strings deliberately not freed (raw C
    # call) must exceed the bound, so the test above would catch a binding
    # that forgets jc_string_free. Each batch of 150 calls with an invalid
    # method name fails per call inside the library (no network) and returns
    # a ~20 KB array; 1,000 of them leak about 20 MiB.
    lib = client._lib
    calls = justclick._json_arg([{"method": "Bad Method"}] * 150, "calls")
    out = ctypes.c_void_p()
    assert lib.jc_call_batch(client._handle, calls, 1, ctypes.byref(out)) == 0
    size = len(ctypes.string_at(out.value))
    lib.jc_string_free(out)
    assert size > 20000, size
    before = rss_kib()
    for _ in range(1000):
        out = ctypes.c_void_p()
        assert lib.jc_call_batch(client._handle, calls, 1, ctypes.byref(out)) == 0
        assert out.value  # leaked on purpose
    grown = rss_kib() - before
    assert grown > 3 * 4 * 1024, f"a {1000 * size >> 20} MiB leak grew RSS by only {grown} KiB"
    assert sandbox.stats()["requests"] == 0
