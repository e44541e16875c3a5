"""justclick: a Python client for the JustClick API (https://justclick.ru).

A thin ctypes binding of libjustclick's C ABI (include/justclick.h): the
library signs every request, verifies TLS and every response signature, and
keeps connections alive; this module turns its JSON outcome documents into
Python values and exceptions. Pure standard library, Python 3.8+.

    import justclick

    with justclick.Client("username", "your-api-key") as jc:
        jc.delete_order("1111")
        jc.update_order_status("100000", "sent", date=1362254400, rpo="10000000000000")
        bills = jc.get_bills("client@example.com", pay_status="paid")
        jc.update_good({"good_name": "super_tovar", "good_sum": 999887})
        goods = jc.call("GetAllGoods")

Every failure is a :class:`JustClickError` subclass (see the classes below).
One :class:`Client` may be shared by any number of threads: ctypes releases
the GIL during each call, and the library's connection pool is shared.

The shared library is found through the ``lib=`` argument, else the
environment variable ``JUSTCLICK_LIB``, else ``libjustclick.so`` beside this
module (the wheel ships it there), else the system library
``libjustclick.so.0`` where the dynamic loader looks for it (the Debian
package, ``make install``), else this repository's
``target/release/libjustclick.so`` (``cargo build --release``).
"""

from __future__ import annotations

import ctypes
import datetime as _datetime
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

__all__ = [
    "Client",
    "JustClickError",
    "LibraryNotFoundError",
    "InvalidArgumentError",
    "TransportError",
    "CallTimeoutError",
    "HttpStatusError",
    "BadResponseError",
    "BadSignatureError",
    "ApiError",
    "PanicError",
    "Response",
    "Notification",
    "METHODS",
    "library_version",
    "find_library",
    "system_library",
]

#: The library this module falls back to: the repository's release build.
DEFAULT_LIBRARY = (
    Path(__file__).resolve().parent.parent.parent / "target" / "release" / "libjustclick.so"
)

#: The library the wheel installs inside the package, beside this module.
PACKAGED_LIBRARY = Path(__file__).resolve().parent / "libjustclick.so"

#: The system library's SONAME (Debian's libjustclick0, ``make install``).
SYSTEM_SONAME = "libjustclick.so.0"


def _ld_so_conf_dirs(conf: str, depth: int = 0) -> List[str]:
    """The directories an ld.so.conf file lists, following ``include`` globs."""
    import glob

    dirs: List[str] = []
    try:
        with open(conf, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return dirs
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line.startswith("include") and depth < 4:
            pattern = line[len("include"):].strip()
            if not pattern.startswith("/"):
                pattern = os.path.join(os.path.dirname(conf), pattern)
            for inc in sorted(glob.glob(pattern)):
                dirs += _ld_so_conf_dirs(inc, depth + 1)
        elif line.startswith("/"):
            dirs.append(line)
    return dirs


def system_library() -> Optional[str]:
    """The first ``libjustclick.so.0`` in the directories the dynamic loader
    searches, in its order (``LD_LIBRARY_PATH``, /etc/ld.so.conf, the
    defaults), or None. The loader itself is not asked (dlopen by SONAME): it
    would answer with any libjustclick this process has already loaded."""
    dirs = os.environ.get("LD_LIBRARY_PATH", "").split(":")
    dirs += _ld_so_conf_dirs("/etc/ld.so.conf")
    dirs += ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
             "/lib", "/usr/lib"]
    for d in dirs:
        candidate = os.path.join(d, SYSTEM_SONAME)
        if d.startswith("/") and os.path.isfile(candidate):
            return candidate
    return None

_INT64_MAX = 2**63 - 1
_UINT32_MAX = 2**32 - 1


# --------------------------------------------------------------------------
# Exceptions
# --------------------------------------------------------------------------


class JustClickError(Exception):
    """Base class of every error this module raises.

    ``status`` is the library's status name (``"api"``, ``"transport"``,
    ...; ``jc_status_name`` in the C header), ``message`` a sentence meant
    for a log line. Messages never contain the secret.
    """

    status = "unknown"

    def __init__(self, message: str, status: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"

    def __reduce__(self):
        # Subclasses take extra constructor arguments: rebuild from the
        # instance's attributes so that errors survive pickling (e.g. when
        # returned from a multiprocessing worker).
        return (_rebuild_error, (type(self), self.message, dict(self.__dict__)))


def _rebuild_error(cls, message, state):
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class LibraryNotFoundError(JustClickError):
    """The shared library could not be found or loaded; ``path`` is the file tried."""

    status = "library_not_found"

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


class InvalidArgumentError(JustClickError, ValueError):
    """An argument was rejected before any network traffic (bad login, option,
    status, e-mail, UpdateGood field, NUL byte, wrong type, closed client...)."""

    status = "invalid_argument"


class TransportError(JustClickError):
    """DNS, connect, TLS (including an unverifiable certificate) or I/O failure."""

    status = "transport"


class CallTimeoutError(JustClickError, TimeoutError):
    """The connect timeout or the overall timeout fired. Also a builtin
    :class:`TimeoutError`, so ``except TimeoutError`` catches it."""

    status = "timeout"


class HttpStatusError(JustClickError):
    """The server answered with an HTTP status other than 200 (redirects are
    never followed); ``http_status`` is that status."""

    status = "http_status"

    def __init__(self, message: str, http_status: int) -> None:
        super().__init__(message)
        self.http_status = http_status


class BadResponseError(JustClickError):
    """The body was not a JustClick answer (not JSON, an HTML page, missing
    fields, too large, truncated)."""

    status = "bad_response"


class BadSignatureError(JustClickError):
    """The response's signature is missing or wrong: nothing in it is trusted."""

    status = "bad_signature"


class ApiError(JustClickError):
    """JustClick answered, correctly signed, with an error: ``code`` is its
    ``error_code`` (e.g. 200 "order does not exist", 8 "request limit"),
    ``text`` its ``error_text``."""

    status = "api"

    def __init__(self, message: str, code: int, text: str) -> None:
        super().__init__(message)
        self.code = code
        self.text = text


class PanicError(JustClickError):
    """A bug inside libjustclick was caught at its boundary (the process is
    fine; please report it)."""

    status = "panic"


def _error_from_document(doc: Mapping, status_name: str) -> JustClickError:
    """The exception for one failure document of the C ABI."""
    status = doc.get("status") or status_name
    message = str(doc.get("message") or f"justclick call failed ({status})")
    if status == "api":
        return ApiError(message, int(doc.get("error_code", 0)), str(doc.get("error_text", "")))
    if status == "http_status":
        return HttpStatusError(message, int(doc.get("http_status", 0)))
    cls = _SIMPLE_ERRORS.get(status)
    if cls is None:
        return JustClickError(message, status)
    # NULL arguments cannot come from this module; report them as invalid.
    return cls(message, status) if status == "null_argument" else cls(message)


_SIMPLE_ERRORS = {
    "null_argument": InvalidArgumentError,
    "invalid_argument": InvalidArgumentError,
    "transport": TransportError,
    "timeout": CallTimeoutError,
    "bad_response": BadResponseError,
    "bad_signature": BadSignatureError,
    "panic": PanicError,
}


# --------------------------------------------------------------------------
# The shared library
# --------------------------------------------------------------------------
# Results of the per-method calls and notifications
# --------------------------------------------------------------------------

#: The methods of the library's table (README "Methods") that take their
#: parameters as one dict: (documented name, snake_case name of the
#: :class:`Client` method and of the C function ``jc_<snake>``).
METHODS = (
    # generated:begin methods (tests/generated.rs; make header)
    ("AddLeadToGroup", "add_lead_to_group"),
    ("UpdateSubscriberData", "update_subscriber_data"),
    ("DeleteSubscribe", "delete_subscribe"),
    ("GetLeadGroupStatuses", "get_lead_group_statuses"),
    ("GetLeadGroups", "get_lead_groups"),
    ("GetAllGroups", "get_all_groups"),
    ("GetCountSubscribe", "get_count_subscribe"),
    ("CreateOrder", "create_order"),
    ("getOrderDetails", "get_order_details"),
    ("GetOrderInfo", "get_order_info"),
    ("getOrdersWithGoods", "get_orders_with_goods"),
    ("GetOrders", "get_orders"),
    ("AddGood", "add_good"),
    ("DeleteGood", "delete_good"),
    ("GetAllGoods", "get_all_goods"),
    ("GetPartnerStats", "get_partner_stats"),
    # generated:end
)


class Response:
    """The answer of a per-method call such as :meth:`Client.create_order`.

    ``result`` is the decoded ``result`` (``None`` when the service sent
    none), ``error_text`` the service's text, ``outcome`` a documented
    special success: ``"already_exists"`` (CreateOrder: the identical order
    exists; ``bill_id`` is its number), ``"already_registered"``
    (AddLeadToGroup: the contact was in every group) or ``"unknown"``
    (AddLeadToGroup answered code 0 with a text the library does not know,
    ``error_text`` holds it: it proves no subscription), else ``None``."""

    __slots__ = ("error_text", "result", "outcome")

    def __init__(self, error_text: str, result: Any, outcome: Optional[str]) -> None:
        self.error_text = error_text
        self.result = result
        self.outcome = outcome

    @property
    def already_exists(self) -> bool:
        return self.outcome == "already_exists"

    @property
    def already_registered(self) -> bool:
        return self.outcome == "already_registered"

    @property
    def outcome_unknown(self) -> bool:
        """AddLeadToGroup's code 0 with a text the library does not know."""
        return self.outcome == "unknown"

    @property
    def bill_id(self) -> Optional[str]:
        """``result["bill_id"]`` as text (CreateOrder), else ``None``."""
        bill = self.result.get("bill_id") if isinstance(self.result, dict) else None
        return None if bill is None else str(bill)

    def __repr__(self) -> str:
        return (f"<justclick.Response error_text={self.error_text!r} "
                f"outcome={self.outcome!r} result={self.result!r}>")


class Notification:
    """A notification verified by :meth:`Client.verify_notification`.

    ``event`` is ``new_order``, ``cancel_order``, ``payment``,
    ``prepayment``, ``moneyback``, ``subscribe`` or ``unsubscribe``;
    ``verified`` is False only for the subscription events, which carry no
    hash (confirm them with :meth:`Client.get_lead_group_statuses`);
    ``hash_rule`` is ``"documented"`` or ``"empty_time"`` (which signature
    variant matched), ``None`` when not verified; ``fields`` the body as
    PHP's ``$_POST`` holds it, without ``hash``. Only ``id``, ``email`` and
    the time are signed: read sums from :meth:`Client.get_order_details`."""

    __slots__ = ("event", "verified", "hash_rule", "fields")

    def __init__(self, event: str, verified: bool, hash_rule: Optional[str], fields: dict) -> None:
        self.event = event
        self.verified = verified
        self.hash_rule = hash_rule
        self.fields = fields

    def field(self, name: str) -> Optional[str]:
        """A top-level field as text (``None`` if absent or nested)."""
        value = self.fields.get(name)
        return value if isinstance(value, str) else None

    @property
    def id(self) -> Optional[str]:
        return self.field("id")

    @property
    def email(self) -> Optional[str]:
        return self.field("email")

    @property
    def paid(self) -> Optional[int]:
        value = self.field("paid")
        return int(value) if value is not None and value.isdigit() else None

    @property
    def created(self) -> Optional[int]:
        value = self.field("created")
        return int(value) if value is not None and value.isdigit() else None

    @property
    def items(self) -> List[dict]:
        """The order lines, in the order sent (not signed)."""
        items = self.fields.get("items")
        if isinstance(items, dict):
            items = list(items.values())
        return [i for i in items or [] if isinstance(i, dict)]

    @property
    def utm(self) -> Dict[str, str]:
        utm = self.fields.get("utm")
        return {k: v for k, v in utm.items() if isinstance(v, str)} if isinstance(utm, dict) else {}

    def __repr__(self) -> str:
        return f"<justclick.Notification event={self.event!r} verified={self.verified!r}>"


def _method(name: str, snake: str):
    """The :class:`Client` method ``snake`` calling ``jc_<snake>``."""

    def method(self, params: Optional[Mapping] = None, **kw: Any) -> Response:
        merged = _merged(params, "params", kw, "parameter")
        params_b = _json_arg(merged, "params") if merged else None
        doc = self._run(f"jc_{snake}", params_b)
        return Response(doc["error_text"], doc.get("result"), doc.get("outcome"))

    method.__name__ = method.__qualname__ = snake
    method.__doc__ = (
        f"{name}: parameters by their documented names, as a dict and/or keywords "
        f"(``{snake}({{'name': value}}, other=value)``; a name given twice is refused). "
        "They are checked against the library's table before any traffic "
        "(:class:`InvalidArgumentError`). Returns a :class:`Response`."
    )
    return method


# --------------------------------------------------------------------------

_c_char_pp = ctypes.POINTER(ctypes.c_void_p)  # char ** kept as raw pointers


class _Library:
    """One loaded libjustclick with every function's signature declared."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            dll = ctypes.CDLL(path)  # CDLL: the GIL is released during calls
        except OSError as e:
            raise LibraryNotFoundError(f"cannot load the justclick library {path}: {e}", path)
        self.dll = dll
        u32, vp, cp = ctypes.c_uint32, ctypes.c_void_p, ctypes.c_char_p
        signatures = {
            # name: (argtypes, restype). Owned strings (out_json) are
            # c_void_p, never c_char_p: ctypes would copy them into bytes
            # and lose the pointer that jc_string_free needs.
            "jc_client_new": ([cp, cp, cp, ctypes.POINTER(vp)], u32),
            "jc_client_free": ([vp], None),
            "jc_delete_order": ([vp, cp, _c_char_pp], u32),
            "jc_update_order_status": ([vp, cp, cp, ctypes.c_int64, cp, _c_char_pp], u32),
            "jc_get_bills": ([vp, cp, cp, _c_char_pp], u32),
            "jc_update_good": ([vp, cp, _c_char_pp], u32),
            "jc_call": ([vp, cp, cp, _c_char_pp], u32),
            "jc_call_batch": ([vp, cp, u32, _c_char_pp], u32),
            # The body is bytes passed with its length: NULs are data.
            "jc_verify_notification": ([vp, cp, ctypes.c_size_t, _c_char_pp], u32),
            "jc_string_free": ([vp], None),
            # Static strings: converting them to bytes is right.
            "jc_status_name": ([u32], cp),
            "jc_version": ([], cp),
            "jc_last_error_message": ([], cp),
        }
        for _, snake in METHODS:
            signatures[f"jc_{snake}"] = ([vp, cp, _c_char_pp], u32)
        for name, (argtypes, restype) in signatures.items():
            try:
                fn = getattr(dll, name)
            except AttributeError:
                raise LibraryNotFoundError(
                    f"{path} is not a usable justclick library: it has no {name}()", path
                )
            fn.argtypes = argtypes
            fn.restype = restype
            setattr(self, name, fn)
        self.version = dll.jc_version().decode("utf-8")

    def status_name(self, status: int) -> str:
        return self.jc_status_name(status).decode("utf-8")

    def invoke(self, fn, *args) -> Any:
        """Calls ``fn(*args, &out_json)``, frees ``out_json`` and returns the
        parsed document on success; raises the matching exception otherwise."""
        status, doc = self.invoke_raw(fn, *args)
        if status == 0 and (isinstance(doc, list) or doc.get("ok")):
            return doc
        if not isinstance(doc, dict):
            raise BadResponseError(f"unexpected outcome document for status {status}")
        raise _error_from_document(doc, self.status_name(status))

    def invoke_raw(self, fn, *args):
        """``(status, parsed out_json document)``; the string is always freed."""
        out = ctypes.c_void_p()
        try:
            status = fn(*args, ctypes.byref(out))
            raw = ctypes.string_at(out.value) if out.value else None
        finally:
            if out.value:
                self.jc_string_free(out)
                out.value = None
        if raw is None:  # never happens with a correct library
            message = self.jc_last_error_message().decode("utf-8", "replace")
            return status, {"ok": False, "status": self.status_name(status), "message": message}
        return status, json.loads(raw.decode("utf-8"))


_LIBRARIES: Dict[str, _Library] = {}
_LIBRARIES_LOCK = threading.Lock()


def find_library(lib: Union[str, os.PathLike, None] = None) -> str:
    """The library path a client would use: ``lib``, else ``$JUSTCLICK_LIB``,
    else :data:`PACKAGED_LIBRARY`, else :func:`system_library`, else
    :data:`DEFAULT_LIBRARY`. Raises :class:`LibraryNotFoundError`
    (naming the path and where it came from) when that file does not exist."""
    if lib is not None:
        path, origin = os.fspath(lib), "the lib= argument"
    elif os.environ.get("JUSTCLICK_LIB"):
        path, origin = os.environ["JUSTCLICK_LIB"], "the JUSTCLICK_LIB environment variable"
    elif PACKAGED_LIBRARY.is_file():
        path, origin = str(PACKAGED_LIBRARY), "the library inside the installed package"
    else:
        system = system_library()
        if system is not None:
            path, origin = system, "the system library"
        else:
            path, origin = str(DEFAULT_LIBRARY), "the default (this repository's release build)"
    if not os.path.isfile(path):
        hint = (
            " (build it with `cargo build --release`)"
            if lib is None and not os.environ.get("JUSTCLICK_LIB")
            else ""
        )
        raise LibraryNotFoundError(
            f"justclick library not found: {path} (from {origin}) does not exist{hint}; "
            "pass lib=PATH or set JUSTCLICK_LIB to libjustclick.so",
            path,
        )
    return path


def _load(lib: Union[str, os.PathLike, None]) -> _Library:
    path = os.path.realpath(find_library(lib))
    with _LIBRARIES_LOCK:
        loaded = _LIBRARIES.get(path)
        if loaded is None:
            loaded = _LIBRARIES[path] = _Library(path)
        return loaded


def library_version(lib: Union[str, os.PathLike, None] = None) -> str:
    """The version of the shared library (e.g. ``"0.1.0"``)."""
    return _load(lib).version


# --------------------------------------------------------------------------
# Argument conversion
# --------------------------------------------------------------------------


def _text(
    value: Any, name: str, *, optional: bool = False, allow_int: bool = False
) -> Optional[bytes]:
    """A string argument as NUL-terminated UTF-8 (``None`` -> NULL if optional)."""
    if value is None and optional:
        return None
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        expected = "a string or an integer" if allow_int else "a string"
        if optional:
            expected += " or None"
        raise InvalidArgumentError(f"{name} must be {expected}, got {type(value).__name__}")
    if "\0" in value:
        # C would see only the part before the NUL: "1111\0junk" would
        # silently become order 1111.
        raise InvalidArgumentError(f"{name} must not contain a NUL character (\\0)")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidArgumentError(f"{name} is not valid Unicode text ({e.reason} at {e.start})")


def _json_arg(value: Any, name: str) -> bytes:
    """A JSON argument, compact, key order kept, UTF-8."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        data = text.encode("utf-8")
    except (TypeError, ValueError) as e:  # UnicodeEncodeError is a ValueError
        raise InvalidArgumentError(f"{name} cannot be sent as JSON: {e}")
    # json.dumps writes U+0000 as \u0000, so ctypes cannot cut the text.
    assert b"\0" not in data
    return data


def _mapping(value: Any, name: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(f"{name} must be a dict, got {type(value).__name__}")
    return value


def _merged(given: Optional[Mapping], name: str, keywords: Mapping, kind: str) -> Dict[str, Any]:
    """``given`` (a dict argument called ``name``, or None) and the keyword
    arguments as one dict; a key given both ways is refused."""
    merged: Dict[str, Any] = {}
    if given is not None:
        merged.update(_mapping(given, name))
    for key, value in keywords.items():
        if key in merged:
            raise InvalidArgumentError(f"{kind} {key!r} is given twice")
        merged[key] = value
    return merged


# --------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------


class Client:
    """A JustClick API client for account ``login`` with API key ``secret``.

    Options (see the README) come as a dict, as keyword arguments, or both:
    ``base_url``, ``timeout_ms``, ``connect_timeout_ms``, ``ca_file``,
    ``proxy``, ``user_agent``, ``max_response_bytes``,
    ``rate_limit_retries``, ``rate_limit_backoff_ms``, ``batch_timeout_ms``
    (deadline of :meth:`call_batch`; default none), ``persistent``,
    ``idle_timeout_ms``, ``allow_insecure_http``. Unknown options and wrong
    types raise :class:`InvalidArgumentError`. ``lib`` selects the shared
    library (see :func:`find_library`).

    ``persistent=True`` (default False): clients with the same login, secret
    and options share one connection pool that the library keeps for the
    life of the process (at most 16), so a client made per job or per web
    request reuses the previous one's connection; ``close()`` then keeps it.

    Creating a client does no network I/O. Share one client between threads
    and calls: it keeps connections alive. Close it with :meth:`close` or a
    ``with`` block (it is also closed when garbage collected); ``close()``
    waits for calls still running in other threads.
    """

    def __init__(
        self,
        login: str,
        secret: str,
        options: Optional[Mapping] = None,
        *,
        lib: Union[str, os.PathLike, None] = None,
        **more_options: Any,
    ) -> None:
        self._handle: Optional[int] = None
        self._lib = _load(lib)
        merged = _merged(options, "options", more_options, "option")
        if isinstance(merged.get("ca_file"), os.PathLike):
            merged["ca_file"] = os.fspath(merged["ca_file"])
        login_b = _text(login, "login")
        secret_b = _text(secret, "secret")
        options_b = _json_arg(merged, "options") if merged else None
        handle = ctypes.c_void_p()
        status = self._lib.jc_client_new(login_b, secret_b, options_b, ctypes.byref(handle))
        if status != 0:
            # Read on this thread, right after the call: it is thread-local.
            message = self._lib.jc_last_error_message().decode("utf-8", "replace")
            raise _error_from_document({"message": message}, self._lib.status_name(status))
        self._handle = handle.value
        self._login = login
        self._free = self._lib.jc_client_free  # kept for __del__ at shutdown
        self._cond = threading.Condition()
        self._inflight = 0

    # -- lifetime ----------------------------------------------------------

    def close(self) -> None:
        """Frees the client. Waits for calls still running in other threads
        (at most their timeout); later calls raise InvalidArgumentError.
        Closing twice is fine."""
        cond = getattr(self, "_cond", None)
        if cond is None:  # __init__ failed
            return
        with cond:
            while self._inflight:
                cond.wait()
            handle, self._handle = self._handle, None
        if handle:
            self._free(handle)

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle:
            self._handle = None
            self._free(handle)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._handle is None

    @property
    def library_path(self) -> str:
        """The shared library this client uses."""
        return self._lib.path

    def __repr__(self) -> str:  # never the secret
        state = "closed" if self.closed else "open"
        return f"<justclick.Client login={self._login!r} {state}>"

    # A copy would share the handle and free it twice.
    def __copy__(self):
        raise TypeError("a justclick.Client cannot be copied; share the same one")

    def __deepcopy__(self, memo):
        raise TypeError("a justclick.Client cannot be copied; share the same one")

    def __reduce__(self):
        raise TypeError("a justclick.Client cannot be pickled; create one per process")

    def _run(self, function_name: str, *args) -> dict:
        """Runs one C call on the handle, keeping close() out meanwhile."""
        with self._cond:
            if self._handle is None:
                raise InvalidArgumentError("this justclick.Client is closed")
            self._inflight += 1
            handle = self._handle
        try:
            return self._lib.invoke(getattr(self._lib, function_name), handle, *args)
        finally:
            with self._cond:
                self._inflight -= 1
                if not self._inflight:
                    self._cond.notify_all()

    # -- the four endpoints -------------------------------------------------

    def delete_order(self, bill_id: Union[str, int]) -> str:
        """DeleteOrder: deletes order ``bill_id``. Returns the service's text
        (e.g. ``"Заказ удален"``); a missing order is ``ApiError`` code 200."""
        doc = self._run("jc_delete_order", _text(bill_id, "bill_id", allow_int=True))
        return doc["error_text"]

    def update_order_status(
        self,
        bill_id: Union[str, int],
        status: str,
        date: Union[int, _datetime.datetime, None] = None,
        rpo: Optional[str] = None,
    ) -> str:
        """UpdateOrderStatus: sets order ``bill_id`` to ``status`` (``sent``,
        ``paid``, ``return`` or ``cancel``). ``date`` (UNIX timestamp or an
        aware ``datetime``) is required for ``sent`` and ``paid``; ``rpo``
        (postal tracking number) for ``sent``. Returns the service's text."""
        if isinstance(date, _datetime.datetime):
            if date.tzinfo is None:
                raise InvalidArgumentError(
                    "date: a naive datetime is ambiguous; give it a tzinfo or pass a UNIX timestamp"
                )
            date = int(date.timestamp())
        if date is None:
            date_c = 0  # the C ABI's "not given"
        elif isinstance(date, int) and not isinstance(date, bool):
            if not 0 < date <= _INT64_MAX:
                raise InvalidArgumentError(f"date must be a positive UNIX timestamp, got {date}")
            date_c = date
        else:
            raise InvalidArgumentError(
                "date must be a UNIX timestamp (int), a datetime or None, "
                f"got {type(date).__name__}"
            )
        doc = self._run(
            "jc_update_order_status",
            _text(bill_id, "bill_id", allow_int=True),
            _text(status, "status"),
            date_c,
            _text(rpo, "rpo", optional=True, allow_int=True),
        )
        return doc["error_text"]

    def get_bills(self, email: str, pay_status: Optional[str] = None) -> dict:
        """GetBills: the orders of the customer ``email``, as
        ``{bill_id: {good_id: {"good_name": ..., "good_title": ...}}}``.
        ``pay_status`` filters by ``paid``, ``waiting`` or ``cancel``. A
        customer without orders is ``ApiError`` code 400."""
        doc = self._run(
            "jc_get_bills", _text(email, "email"), _text(pay_status, "pay_status", optional=True)
        )
        return doc["result"]

    def update_good(self, good: Mapping) -> str:
        """UpdateGood: replaces settings of product ``good["good_name"]`` with
        the other keys (``good_title``, ``good_sum``, ``good_partner_SL_link``,
        ...; case-sensitive, unknown names rejected, ``None`` = not sent).
        Always send ``good_sum``: the service stores 0 when it is missing.
        Returns the service's text."""
        doc = self._run("jc_update_good", _json_arg(_mapping(good, "good"), "good"))
        return doc["error_text"]

    # -- every method of the table: set after the class, from METHODS -------

    def verify_notification(self, body: Union[bytes, bytearray, memoryview]) -> Notification:
        """Verifies a notification the service posted to the shop: ``body``
        is the raw request body (bytes, e.g. ``request.get_data()``). Order
        events must carry a valid ``hash`` (else :class:`BadSignatureError`:
        answer 403); a body that is no notification is
        :class:`InvalidArgumentError`. No network traffic."""
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise InvalidArgumentError(f"body must be bytes, got {type(body).__name__}")
        data = bytes(body)
        doc = self._run("jc_verify_notification", data, len(data))
        return Notification(doc["event"], doc["verified"], doc.get("hash_rule"), doc["fields"])

    # -- any method ---------------------------------------------------------

    def call(self, method: str, params: Optional[Mapping] = None) -> Any:
        """Calls any API method (``AddLeadToGroup``, ``GetAllGoods``, ...),
        signed like the others, and returns its decoded ``result`` (``None``
        when the answer has none). ``params`` are sent in dict order; nested
        dicts and lists become ``key[sub]``, ``None`` is skipped, booleans
        are 1/0."""
        params_b = None if params is None else _json_arg(_mapping(params, "params"), "params")
        doc = self._run("jc_call", _text(method, "method"), params_b)
        return doc["result"]

    def call_batch(self, calls: List[Any], concurrency: int = 8) -> List[Any]:
        """Runs many calls with at most ``concurrency`` (1..64) in flight over
        the client's kept-alive connections and returns one item per call,
        in input order.

        Each call is a dict ``{"method": ..., "params": {...}, "idempotent":
        False}`` (``params`` and ``idempotent`` optional) or a tuple
        ``(method, params)``. Each item of the returned list is what
        :meth:`call` would have returned (the decoded ``result``), or, for a
        call that failed, the exception :meth:`call` would have raised, as
        an instance (not raised): test with ``isinstance(item,
        JustClickError)``. One failing call never fails the others. API
        error 8 (request limit) is retried with backoff for the four
        endpoints and calls marked idempotent. Only a malformed list or
        concurrency raises, for the whole batch.

        Blocks until every call has ended. With the option
        ``batch_timeout_ms``, calls not started by that deadline are never
        sent and come back as :class:`CallTimeoutError` instances ("not sent:
        ..."); calls already sent keep their own ``timeout_ms``, so this
        returns by ``batch_timeout_ms + timeout_ms``."""
        if isinstance(calls, (str, bytes, Mapping)) or not hasattr(calls, "__iter__"):
            raise InvalidArgumentError(
                f"calls must be a list of calls, got {type(calls).__name__}"
            )
        items = []
        for i, call in enumerate(calls):
            if isinstance(call, tuple):
                if len(call) != 2:
                    raise InvalidArgumentError(
                        f"call #{i}: a tuple must be (method, params), got {len(call)} items"
                    )
                call = {"method": call[0], "params": call[1]}
            items.append(call)
        if isinstance(concurrency, bool) or not isinstance(concurrency, int):
            raise InvalidArgumentError(
                f"concurrency must be an integer, got {type(concurrency).__name__}"
            )
        if not 0 <= concurrency <= _UINT32_MAX:
            raise InvalidArgumentError(f"concurrency must be between 1 and 64, got {concurrency}")
        doc = self._run("jc_call_batch", _json_arg(items, "calls"), concurrency)
        if not isinstance(doc, list):
            raise BadResponseError("jc_call_batch did not return a list")
        return [d.get("result") if d.get("ok") else _error_from_document(d, "unknown") for d in doc]


# One method per entry of METHODS (add_lead_to_group, create_order, ...).
for _name, _snake in METHODS:
    setattr(Client, _snake, _method(_name, _snake))
del _name, _snake
