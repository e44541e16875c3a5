"""Every exception class through the sandbox's faults, TLS with and without
the sandbox's CA, and the module's own failures (library lookup, panics)."""

import ctypes
import os
import pickle
from pathlib import Path

import pytest

import justclick
from conftest import LOGIN, SECRET, assert_no_secret

FAULTS = [
    # mode, exception class, text in the message
    ("http500", justclick.HttpStatusError, "500"),
    ("http502", justclick.HttpStatusError, "502"),
    ("redirect", justclick.HttpStatusError, "not followed"),
    ("wrong-hash", justclick.BadSignatureError, "does not verify"),
    ("magic-hash", justclick.BadSignatureError, "does not verify"),
    ("missing-hash", justclick.BadSignatureError, "hash"),
    ("nonstring-hash", justclick.BadSignatureError, "hash"),
    ("truncate", justclick.BadResponseError, "truncated"),
    ("non-json", justclick.BadResponseError, "HTML"),
    ("deep-json", justclick.BadResponseError, ""),
    ("invalid-utf8", justclick.BadResponseError, "JSON"),
    ("huge", justclick.BadResponseError, "max_response_bytes"),
    ("close", justclick.TransportError, ""),
    ("reset", justclick.TransportError, ""),
    ("rate-limit", justclick.ApiError, "8"),
]


@pytest.mark.parametrize("mode, cls, needle", FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_raises_its_exception(start_sandbox, mode, cls, needle):
    sb = start_sandbox("--fault", mode)
    with sb.client(max_response_bytes=1 << 20) as c:
        with pytest.raises(cls) as e:
            c.get_bills("client@example.com")
    err = e.value
    assert type(err) is cls
    assert isinstance(err, justclick.JustClickError)
    assert needle in err.message and str(err) == err.message
    assert err.status == cls.status
    assert_no_secret(err, err.__dict__)
    if mode in ("http500", "http502"):
        assert err.http_status == int(mode[4:])
    if mode == "redirect":
        assert err.http_status == 302
    if mode == "rate-limit":
        assert err.code == 8 and err.text == "Превышен лимит запросов к API"


def test_fault_changed_at_run_time(start_sandbox):
    # A private sandbox: POST /__sandbox/fault, then back to normal, same client.
    sb = start_sandbox()
    with sb.client() as c:
        assert len(c.call("GetAllGoods")) == 4
        sb.fault("http502")
        with pytest.raises(justclick.HttpStatusError) as e:
            c.call("GetAllGoods")
        assert e.value.http_status == 502
        sb.fault("rate-limit")
        with pytest.raises(justclick.ApiError) as e:
            c.delete_order("1111")
        assert e.value.code == 8
        sb.fault("none")
        assert c.delete_order("1111") == "Заказ удален"  # the rate-limited call never ran


def test_string_error_code_is_accepted(start_sandbox):
    sb = start_sandbox("--fault", "string-code")
    with sb.client() as c:
        assert len(c.call("GetAllGoods")) == 4


@pytest.mark.parametrize("mode", ["stall", "slow"])
def test_timeout(start_sandbox, mode):
    sb = start_sandbox("--fault", mode, "--stall-ms", "3000")
    with sb.client(timeout_ms=400) as c:
        with pytest.raises(justclick.CallTimeoutError) as e:
            c.call("GetAllGoods")
    assert isinstance(e.value, TimeoutError)  # the builtin, too
    assert e.value.status == "timeout"
    assert_no_secret(e.value)


def test_connection_refused_is_transport(sandbox):
    # A port that was just free: bind, note it, close.
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with justclick.Client(LOGIN, SECRET, base_url=f"http://127.0.0.1:{port}", proxy="") as c:
        with pytest.raises(justclick.TransportError):
            c.delete_order("1")


def test_tls_with_the_sandbox_ca(tls_sandbox):
    ca = Path(tls_sandbox.ca_file)  # a PathLike is accepted
    with justclick.Client(LOGIN, SECRET, base_url=tls_sandbox.url, proxy="", ca_file=ca) as c:
        assert sorted(c.get_bills("client@example.com", "paid")) == ["258367", "258368"]
        assert c.delete_order("1111") == "Заказ удален"


def test_tls_without_the_ca_is_refused(tls_sandbox):
    with justclick.Client(LOGIN, SECRET, base_url=tls_sandbox.url, proxy="") as c:
        with pytest.raises(justclick.TransportError) as e:
            c.delete_order("258369")
    assert "certificate" in e.value.message.lower(), e.value.message
    assert_no_secret(e.value)
    # Nothing was deleted: the request never left the client.
    with justclick.Client(
        LOGIN, SECRET, base_url=tls_sandbox.url, proxy="", ca_file=tls_sandbox.ca_file
    ) as c:
        assert "258369" in c.get_bills("client@example.com")


# -- the module's own failures ----------------------------------------------


def test_library_lookup_order(monkeypatch, tmp_path):
    env_lib = os.environ["JUSTCLICK_LIB"]
    assert justclick.find_library(env_lib) == env_lib
    assert justclick.find_library() == env_lib  # from the environment
    missing = tmp_path / "nowhere" / "libjustclick.so"
    with pytest.raises(justclick.LibraryNotFoundError) as e:
        justclick.Client(LOGIN, SECRET, lib=missing)
    assert e.value.path == str(missing) and str(missing) in e.value.message
    assert "lib= argument" in e.value.message
    monkeypatch.setenv("JUSTCLICK_LIB", str(missing))
    with pytest.raises(justclick.LibraryNotFoundError, match="JUSTCLICK_LIB") as e:
        justclick.Client(LOGIN, SECRET)
    assert str(missing) in e.value.message
    # lib= wins over the environment.
    assert justclick.Client(LOGIN, SECRET, lib=env_lib).library_path == os.path.realpath(env_lib)
    # Without either: the repository's release build, relative to the module.
    monkeypatch.delenv("JUSTCLICK_LIB")
    repo = Path(justclick.__file__).resolve().parent.parent.parent
    assert justclick.DEFAULT_LIBRARY == repo / "target" / "release" / "libjustclick.so"
    monkeypatch.setattr(justclick, "DEFAULT_LIBRARY", missing)
    # (an installed wheel or system library would be found before it)
    monkeypatch.setattr(justclick, "PACKAGED_LIBRARY", missing)
    monkeypatch.setattr(justclick, "system_library", lambda: None)
    with pytest.raises(justclick.LibraryNotFoundError, match="cargo build --release") as e:
        justclick.Client(LOGIN, SECRET)
    assert str(missing) in e.value.message


def test_not_a_library(tmp_path):
    fake = tmp_path / "libjustclick.so"
    fake.write_text("not an ELF file")
    with pytest.raises(justclick.LibraryNotFoundError, match="cannot load") as e:
        justclick.library_version(fake)
    assert str(fake) in e.value.message


def test_version_and_status_names():
    lib = justclick._load(None)
    assert justclick.library_version().count(".") == 2
    names = [lib.status_name(i) for i in range(10)]
    assert names == [
        "ok", "null_argument", "invalid_argument", "transport", "timeout",
        "http_status", "bad_response", "bad_signature", "api", "panic",
    ]
    assert lib.status_name(10) == "unknown"
    # Every class's status is one of the library's names (or the module's own).
    for cls in [getattr(justclick, n) for n in justclick.__all__]:
        if isinstance(cls, type) and issubclass(cls, justclick.JustClickError):
            assert cls.status in names + ["unknown", "library_not_found"], cls


def test_every_function_has_a_signature():
    lib = justclick._load(None)
    for name in ["jc_client_new", "jc_delete_order", "jc_update_order_status", "jc_get_bills",
                 "jc_update_good", "jc_call", "jc_call_batch", "jc_string_free",
                 "jc_client_free", "jc_status_name", "jc_version", "jc_last_error_message",
                 "jc_verify_notification"]:
        fn = getattr(lib, name)
        assert fn.argtypes is not None, name
    # The per-method functions, named here rather than read from METHODS so
    # that a function dropped from the binding's table is noticed:
    # jc_status jc_<snake>(const jc_client *, const char *params_json, char **out_json).
    for snake in ["add_lead_to_group", "update_subscriber_data", "delete_subscribe",
                  "get_lead_group_statuses", "get_lead_groups", "get_all_groups",
                  "get_count_subscribe", "create_order", "get_order_details", "get_order_info",
                  "get_orders_with_goods", "get_orders", "add_good", "delete_good",
                  "get_all_goods", "get_partner_stats"]:
        fn = getattr(lib, f"jc_{snake}")
        assert fn.argtypes[:2] == [ctypes.c_void_p, ctypes.c_char_p], snake
        assert fn.argtypes[2]._type_ is ctypes.c_void_p, snake
        assert fn.restype is ctypes.c_uint32, snake
    notify = lib.jc_verify_notification
    assert notify.argtypes[2] is ctypes.c_size_t  # the body's length: NULs are data
    assert notify.restype is ctypes.c_uint32
    # Owned strings stay raw pointers so they can be freed.
    out_json = lib.jc_call.argtypes[-1]
    assert out_json._type_ is ctypes.c_void_p
    assert lib.jc_string_free.argtypes == [ctypes.c_void_p]


def test_panic_becomes_panic_error(hooks_lib):
    # jc_test_panic exists only in the sandbox-feature build (not in the
    # header, not in the shipped library under test).
    lib = justclick._load(hooks_lib)
    fn = lib.dll.jc_test_panic
    fn.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    fn.restype = ctypes.c_uint32
    with pytest.raises(justclick.PanicError) as e:
        lib.invoke(fn)
    assert e.value.status == "panic"
    assert "internal error in jc_test_panic" in e.value.message


def test_null_argument_maps_to_invalid_argument():
    lib = justclick._load(None)
    with pytest.raises(justclick.InvalidArgumentError) as e:
        lib.invoke(lib.jc_delete_order, None, b"1")
    assert e.value.status == "null_argument" and e.value.message == "client is NULL"


def test_exceptions_pickle_and_hierarchy():
    errors = [
        justclick.ApiError("JustClick API error 8: limit", 8, "limit"),
        justclick.HttpStatusError("HTTP status 502", 502),
        justclick.CallTimeoutError("timed out"),
        justclick.InvalidArgumentError("bad"),
        justclick.LibraryNotFoundError("missing", "/x.so"),
    ]
    for err in errors:
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and back.__dict__ == err.__dict__
        assert str(back) == str(err)
    assert issubclass(justclick.InvalidArgumentError, ValueError)
    assert issubclass(justclick.CallTimeoutError, TimeoutError)
    for cls in (justclick.TransportError, justclick.BadResponseError,
                justclick.BadSignatureError, justclick.PanicError):
        assert issubclass(cls, justclick.JustClickError)
