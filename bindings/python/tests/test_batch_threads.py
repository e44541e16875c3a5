"""call_batch (input order, per-call failures, rate-limit retries) and one
client shared by many threads."""

import threading
import time

import pytest

import justclick
from conftest import assert_no_secret


def test_batch_in_input_order_with_failures(client, sandbox):
    results = client.call_batch(
        [
            {"method": "GetBills", "params": {"email": "client@example.com", "pay_status": "paid"}},
            ("DeleteOrder", {"bill_id": "999999"}),  # tuples work too
            {"method": "SandboxEcho", "params": {"name": "Иван 😀"}},
            {"method": "Bad Method"},
            {"method": "NoSuchMethod", "params": None},
            {"method": "DeleteOrder", "params": {"bill_id": "1111"}},
            {"method": "GetAllGoods"},
        ],
        concurrency=4,
    )
    assert len(results) == 7
    assert sorted(results[0]) == ["258367", "258368"]
    assert isinstance(results[1], justclick.ApiError) and results[1].code == 200
    assert results[2] == {"name": "Иван 😀"}
    assert isinstance(results[3], justclick.InvalidArgumentError)
    assert "letters and digits" in results[3].message
    assert isinstance(results[4], justclick.HttpStatusError) and results[4].http_status == 404
    assert results[5] is None  # DeleteOrder has no result: success
    assert [g["good_name"] for g in results[6]] == ["oplata", "sales", "222", "super_tovar"]
    for r in results:
        assert not isinstance(r, BaseException) or isinstance(r, justclick.JustClickError)
        assert_no_secret(r)
    assert "1111" not in client.get_bills("client@example.com")  # the delete ran


def test_large_batch_keeps_order(client, sandbox):
    calls = [{"method": "SandboxEcho", "params": {"i": i, "s": "я" * (i % 7)}} for i in range(300)]
    results = client.call_batch(calls, concurrency=16)
    assert results == [{"i": str(i), "s": "я" * (i % 7)} for i in range(300)]
    stats = sandbox.stats()
    assert stats["requests"] == 300
    # Kept-alive connections: far fewer than one per call.
    assert stats["api_connections"] <= 16, stats


def test_empty_batch(client):
    assert client.call_batch([]) == []


@pytest.mark.parametrize(
    "calls, concurrency, needle",
    [
        ([{"method": "GetAllGoods"}], 0, "concurrency"),
        ([{"method": "GetAllGoods"}], 65, "concurrency"),
        ([{"method": "GetAllGoods"}], 2**32, "concurrency"),
        ([{"method": "GetAllGoods"}], "8", "concurrency must be an integer"),
        ([5], 8, "call #0 must be an object"),
        ([{"params": {}}], 8, "method"),
        ([("GetAllGoods",)], 8, "call #0"),
        ("GetAllGoods", 8, "calls must be a list"),
        ({"method": "GetAllGoods"}, 8, "calls must be a list"),
        ([{"method": "GetAllGoods", "params": {"x": float("inf")}}], 8, "JSON"),
    ],
)
def test_malformed_batch_raises(client, sandbox, calls, concurrency, needle):
    with pytest.raises(justclick.InvalidArgumentError, match=needle):
        client.call_batch(calls, concurrency)
    assert sandbox.stats()["requests"] == 0


def test_batch_rate_limit_retries_only_idempotent_calls(start_sandbox):
    sb = start_sandbox("--fault", "rate-limit")
    with sb.client(rate_limit_retries=2, rate_limit_backoff_ms=1) as c:
        results = c.call_batch(
            [
                {"method": "GetBills", "params": {"email": "client@example.com"}},
                {"method": "AddLeadToGroup", "params": {"lead_email": "a@example.com"}},
                {"method": "SandboxEcho", "params": {"x": "1"}, "idempotent": True},
            ],
            concurrency=1,
        )
    for r in results:
        assert isinstance(r, justclick.ApiError) and r.code == 8
    by_method = sb.stats()["by_method"]
    assert by_method == {"GetBills": 3, "AddLeadToGroup": 1, "SandboxEcho": 3}


def test_threads_share_one_client(client, sandbox):
    n_threads, per_thread = 8, 40
    errors, seen = [], {}
    start = threading.Barrier(n_threads)

    def worker(t):
        try:
            start.wait()
            for i in range(per_thread):
                name = f"поток-{t}-{i}-😀"
                assert client.call("SandboxEcho", {"t": t, "name": name}) == {
                    "t": str(t),
                    "name": name,
                }
                bills = client.get_bills("client@example.com", "paid")
                assert sorted(bills) == ["258367", "258368"]
                with pytest.raises(justclick.ApiError):
                    client.delete_order(f"missing-{t}-{i}")
            seen[t] = True
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert len(seen) == n_threads
    assert sandbox.stats()["requests"] == n_threads * per_thread * 3


def test_calls_overlap_without_the_gil(start_sandbox):
    # Each answer is held 300 ms by the sandbox. If the GIL were held during
    # a call, the eight threads would run one at a time over one kept-alive
    # connection; released, they are in flight together on separate ones.
    sb = start_sandbox("--delay-ms", "300")
    n = 8
    start = threading.Barrier(n)
    results = [None] * n
    with sb.client() as c:

        def worker(i):
            start.wait()
            results[i] = c.call("SandboxEcho", {"i": i})

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert results == [{"i": str(i)} for i in range(n)]
    # Serialized calls would need exactly one connection.
    assert sb.stats()["api_connections"] >= 4, sb.stats()


def test_close_waits_for_calls_in_flight(start_sandbox):
    sb = start_sandbox("--delay-ms", "300")
    c = sb.client()
    started, result = threading.Event(), []

    def worker():
        started.set()
        result.append(c.call("SandboxEcho", {"x": "still here"}))

    th = threading.Thread(target=worker)
    th.start()
    started.wait()
    while not c._inflight:  # the call has entered the library
        time.sleep(0.001)
    c.close()  # must not free the handle under the running call
    th.join()
    assert result == [{"x": "still here"}]
    assert c.closed
    with pytest.raises(justclick.InvalidArgumentError, match="closed"):
        c.call("SandboxEcho")


def test_batch_timeout_leaves_unstarted_calls_unsent(start_sandbox):
    sb = start_sandbox("--delay-ms", "300")
    jc = sb.client(batch_timeout_ms=500)  # a keyword option
    # 8 calls of 300 ms one at a time take 2.4 s: some are never started.
    results = jc.call_batch([("SandboxEcho", {"i": i}) for i in range(8)], concurrency=1)
    unsent = [r for r in results if isinstance(r, justclick.CallTimeoutError)]
    sent = [r for r in results if not isinstance(r, BaseException)]
    assert unsent and sent and len(unsent) + len(sent) == 8, results
    assert all(r.status == "timeout" and r.message.startswith("not sent: ") for r in unsent)
    assert sb.stats()["requests"] == len(sent), "unsent calls never reach the server"
    with pytest.raises(justclick.InvalidArgumentError, match="batch_timeout_ms"):
        sb.client(batch_timeout_ms=0)


def test_a_panicking_batch_call_is_a_panic_error_in_its_slot(sandbox, hooks_lib):
    # SandboxPanic: a sandbox-feature test hook that panics after sending
    # (the build with the hooks, not the shipped library).
    with sandbox.client(lib=hooks_lib) as client:
        results = client.call_batch([("SandboxEcho", {"i": 0}), ("SandboxPanic", {"i": 1})])
    assert results[0] == {"i": "0"}
    assert isinstance(results[1], justclick.PanicError) and results[1].status == "panic"
