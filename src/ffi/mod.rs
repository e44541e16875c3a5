//! The C ABI: a thin shell over [`crate::Client`]; `include/justclick.h` is
//! generated from this file by cbindgen (see `build.rs`).
//!
//! Every exported function runs inside a panic boundary, checks each
//! pointer for NULL and each string for UTF-8, and reports through one
//! status enum plus, for calls, one JSON document. Nothing here has rules of
//! its own: validation, signing and verification live in the safe core.

#![allow(non_camel_case_types)]
// The exported functions are `unsafe` to call in C's sense; each documents
// its pointer contract in the header instead of a Rust `# Safety` section.
#![allow(clippy::missing_safety_doc)]

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use serde::Serialize;
use serde_json::Value as Json;

use crate::batch::BatchCall;
use crate::encode::Params;
use crate::error::Error;
use crate::good::Good;
use crate::options::Options;
use crate::response::Response;
use crate::{Client, OrderStatus, PayStatus};

/// Result of every fallible function. The numbers are stable and never
/// renumbered; `jc_status_name` gives each one's name as used in the JSON
/// `status` field.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum jc_status {
    /// Success.
    JC_OK = 0,
    /// A required pointer argument was NULL.
    JC_ERR_NULL_ARGUMENT = 1,
    /// An argument was rejected before any network traffic (bad login,
    /// option, status, e-mail, JSON, invalid UTF-8, ...).
    JC_ERR_INVALID_ARGUMENT = 2,
    /// DNS, connect, TLS or I/O failure.
    JC_ERR_TRANSPORT = 3,
    /// The connect or overall timeout fired.
    JC_ERR_TIMEOUT = 4,
    /// The server answered with an HTTP status other than 200 (redirects
    /// are never followed); the JSON has `http_status`.
    JC_ERR_HTTP_STATUS = 5,
    /// The body was not a JustClick answer (not JSON, missing fields, too
    /// large, truncated).
    JC_ERR_BAD_RESPONSE = 6,
    /// The response signature is missing or wrong; nothing in it is trusted.
    JC_ERR_BAD_SIGNATURE = 7,
    /// The service answered, correctly signed, with `error_code != 0`; the
    /// JSON has `error_code` and `error_text`.
    JC_ERR_API = 8,
    /// A bug in this library was caught at the boundary (no crash).
    JC_ERR_PANIC = 9,
}

/// An API client. Opaque.
///
/// Create with `jc_client_new`, destroy with `jc_client_free`. All call
/// functions take `const jc_client *`: one client may be used by any number
/// of threads at once, and should be, so that its kept-alive connections are
/// reused.
pub struct jc_client {
    inner: Client,
}

/// Largest JSON argument accepted (16 MiB).
const MAX_JSON_INPUT: usize = 16 << 20;

/// Why a call failed at the boundary or in the core.
enum Failure {
    Null(String),
    Core(Error),
    Panic(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Core(e)
    }
}

impl Failure {
    fn status(&self) -> jc_status {
        match self {
            Failure::Null(_) => jc_status::JC_ERR_NULL_ARGUMENT,
            Failure::Panic(_) => jc_status::JC_ERR_PANIC,
            Failure::Core(e) => match e {
                Error::InvalidArgument(_) => jc_status::JC_ERR_INVALID_ARGUMENT,
                Error::Transport(_) => jc_status::JC_ERR_TRANSPORT,
                Error::Timeout(_) => jc_status::JC_ERR_TIMEOUT,
                Error::HttpStatus { .. } => jc_status::JC_ERR_HTTP_STATUS,
                Error::BadResponse(_) => jc_status::JC_ERR_BAD_RESPONSE,
                Error::BadSignature(_) => jc_status::JC_ERR_BAD_SIGNATURE,
                Error::Api { .. } => jc_status::JC_ERR_API,
            },
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Null(m) | Failure::Panic(m) => m.clone(),
            Failure::Core(e) => e.to_string(),
        }
    }
}

#[derive(Serialize)]
struct SuccessDoc<'a> {
    ok: bool,
    error_code: i64,
    error_text: &'a str,
    result: &'a Json,
}

#[derive(Serialize)]
struct FailureDoc<'a> {
    ok: bool,
    status: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_status: Option<u16>,
}

/// Appends the JSON document for one outcome (schema in the header).
fn write_outcome(out: &mut Vec<u8>, outcome: &Result<Response, Failure>) {
    const NULL: Json = Json::Null;
    let written = match outcome {
        Ok(r) => serde_json::to_writer(
            &mut *out,
            &SuccessDoc {
                ok: true,
                error_code: 0,
                error_text: &r.error_text,
                result: r.result.as_ref().unwrap_or(&NULL),
            },
        ),
        Err(f) => {
            let message = f.message();
            let (error_code, error_text, http_status) = match f {
                Failure::Core(Error::Api { code, text }) => {
                    (Some(*code), Some(text.as_str()), None)
                }
                Failure::Core(Error::HttpStatus { status, .. }) => (None, None, Some(*status)),
                _ => (None, None, None),
            };
            serde_json::to_writer(
                &mut *out,
                &FailureDoc {
                    ok: false,
                    status: status_name(f.status() as u32),
                    message: &message,
                    error_code,
                    error_text,
                    http_status,
                },
            )
        }
    };
    if written.is_err() {
        out.extend_from_slice(
            br#"{"ok":false,"status":"panic","message":"cannot serialize the outcome"}"#,
        );
    }
}

fn status_name(status: u32) -> &'static str {
    STATUS_NAMES
        .get(status as usize)
        .map_or("unknown", |n| &n[..n.len() - 1])
}

/// NUL-terminated names, indexed by status number.
const STATUS_NAMES: [&str; 10] = [
    "ok\0",
    "null_argument\0",
    "invalid_argument\0",
    "transport\0",
    "timeout\0",
    "http_status\0",
    "bad_response\0",
    "bad_signature\0",
    "api\0",
    "panic\0",
];

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    static IN_FFI: Cell<bool> = const { Cell::new(false) };
}

fn set_last_error(message: &str) {
    LAST_ERROR.with(|e| {
        let mut e = e.borrow_mut();
        // Success after success: nothing to clear (keeps the hot path free
        // of an allocation).
        if message.is_empty() && e.as_bytes().is_empty() {
            return;
        }
        *e = CString::new(message.replace('\0', " ")).unwrap_or_default();
    });
}

/// Keeps panics inside the boundary quiet: the message goes to the caller
/// through the status, the JSON and `jc_last_error_message`, not to the
/// host's stderr. Panics elsewhere still reach the previous hook.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_FFI.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `f` inside the panic boundary; a panic becomes `Failure::Panic`.
fn boundary<T>(function: &str, f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    install_panic_hook();
    let was = IN_FFI.with(|c| c.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_FFI.with(|c| c.set(was));
    let result = result.unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Failure::Panic(format!(
            "internal error in {function} (a bug in justclick {}; please report it): {detail}",
            crate::VERSION
        )))
    });
    result
}

/// Records the outcome for `jc_last_error_message` (status-returning
/// functions only, so freeing a string does not erase the message).
fn remember<T>(result: &Result<T, Failure>) {
    match result {
        Ok(_) => set_last_error(""),
        Err(f) => set_last_error(&f.message()),
    }
}

/// Hands `bytes` (JSON, no NUL inside: serde_json escapes U+0000) to C.
fn into_c_string(bytes: Vec<u8>) -> *mut c_char {
    CString::new(bytes)
        .unwrap_or_else(|_| {
            c"{\"ok\":false,\"status\":\"panic\",\"message\":\"NUL in output\"}".to_owned()
        })
        .into_raw()
}

/// Runs one API call at the boundary and reports it: status returned, JSON
/// written to `*out_json` when `out_json` is not NULL.
fn api_call(
    function: &str,
    out_json: *mut *mut c_char,
    f: impl FnOnce() -> Result<Response, Failure>,
) -> jc_status {
    let outcome = boundary(function, f);
    remember(&outcome);
    let status = match &outcome {
        Ok(_) => jc_status::JC_OK,
        Err(f) => f.status(),
    };
    if !out_json.is_null() {
        let mut doc = Vec::with_capacity(256);
        write_outcome(&mut doc, &outcome);
        // SAFETY: the caller guarantees a non-NULL out_json points to a
        // writable `char *`.
        unsafe { *out_json = into_c_string(doc) };
    }
    status
}

/// Borrows a required C string as UTF-8.
///
/// SAFETY: `p` is NULL or points to a NUL-terminated string that stays
/// valid for the call (the header's contract).
unsafe fn text<'a>(p: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if p.is_null() {
        return Err(Failure::Null(format!("{name} is NULL")));
    }
    let bytes = CStr::from_ptr(p).to_bytes();
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::Core(Error::InvalidArgument(format!(
            "{name} is not valid UTF-8 (bad byte at offset {})",
            e.valid_up_to()
        )))
    })
}

/// Like [`text`], NULL allowed (and `""` treated as not given).
unsafe fn optional_text<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>, Failure> {
    if p.is_null() {
        return Ok(None);
    }
    text(p, name).map(|s| (!s.is_empty()).then_some(s))
}

/// A JSON argument: UTF-8 and at most 16 MiB.
unsafe fn json_text<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>, Failure> {
    let Some(s) = optional_text(p, name)? else {
        return Ok(None);
    };
    if s.len() > MAX_JSON_INPUT {
        return Err(Failure::Core(Error::InvalidArgument(format!(
            "{name} is larger than {MAX_JSON_INPUT} bytes"
        ))));
    }
    Ok(Some(s))
}

/// A required JSON argument: NULL is a NULL argument, `""` is empty.
unsafe fn required_json<'a>(p: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if p.is_null() {
        return Err(Failure::Null(format!("{name} is NULL")));
    }
    json_text(p, name)?
        .ok_or_else(|| Failure::Core(Error::InvalidArgument(format!("{name} is empty"))))
}

/// SAFETY: `c` is NULL or a pointer returned by `jc_client_new` and not freed.
unsafe fn client<'a>(c: *const jc_client) -> Result<&'a Client, Failure> {
    if c.is_null() {
        return Err(Failure::Null("client is NULL".into()));
    }
    Ok(&(*c).inner)
}

fn with_name(e: Error, name: &str) -> Failure {
    match e {
        Error::InvalidArgument(m) => Failure::Core(Error::InvalidArgument(format!("{name}: {m}"))),
        other => Failure::Core(other),
    }
}

/// Creates a client for account `login` with API key `secret`.
///
/// `options_json` may be NULL or a JSON object with any of: `base_url`
/// (string, replaces `https://{login}.justclick.ru`), `timeout_ms` (overall,
/// default 30000), `connect_timeout_ms` (default 10000), `ca_file` (PEM file
/// of CAs added to the bundled roots; verification cannot be turned off),
/// `proxy` (URL; `""` = direct; default: the `HTTPS_PROXY`/`HTTP_PROXY`/
/// `ALL_PROXY`/`NO_PROXY` environment), `user_agent` (default
/// `justclick/<version>`), `max_response_bytes` (default 8388608),
/// `rate_limit_retries` (batches, default 3), `rate_limit_backoff_ms`
/// (default 250). Unknown keys and wrong types are `JC_ERR_INVALID_ARGUMENT`.
///
/// On success `*out_client` receives a new client, owned by the caller and
/// freed with `jc_client_free`. On failure `*out_client` is set to NULL and
/// the reason is in `jc_last_error_message()`. The secret is copied; the
/// caller's buffers are not kept. Does no network I/O. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn jc_client_new(
    login: *const c_char,
    secret: *const c_char,
    options_json: *const c_char,
    out_client: *mut *mut jc_client,
) -> jc_status {
    if !out_client.is_null() {
        *out_client = std::ptr::null_mut();
    }
    let built = boundary("jc_client_new", || {
        if out_client.is_null() {
            return Err(Failure::Null("out_client is NULL".into()));
        }
        let login = text(login, "login")?;
        let secret = text(secret, "secret")?;
        let options = Options::from_json(json_text(options_json, "options_json")?)?;
        Ok(Client::new(login, secret, options)?)
    });
    remember(&built);
    match built {
        Ok(inner) => {
            *out_client = Box::into_raw(Box::new(jc_client { inner }));
            jc_status::JC_OK
        }
        Err(f) => f.status(),
    }
}

/// Destroys a client: closes its connections and wipes its secret from
/// memory. NULL is a no-op. Must not be called while another thread is still
/// using the client, nor twice.
#[no_mangle]
pub unsafe extern "C" fn jc_client_free(client: *mut jc_client) {
    if client.is_null() {
        return;
    }
    let _ = boundary("jc_client_free", || {
        drop(Box::from_raw(client));
        Ok(())
    });
}

/// DeleteOrder: deletes order `bill_id`.
///
/// Blocks for at most the client's timeout. If `out_json` is not NULL,
/// `*out_json` receives a JSON document on every outcome (schema at the top
/// of this header), owned by the caller and freed with `jc_string_free`.
/// Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_delete_order(
    client: *const jc_client,
    bill_id: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    api_call("jc_delete_order", out_json, || {
        let c = self::client(client)?;
        Ok(c.delete_order(text(bill_id, "bill_id")?)?)
    })
}

/// UpdateOrderStatus: sets order `bill_id` to `status` (`sent`, `paid`,
/// `return` or `cancel`).
///
/// `date` is a UNIX timestamp, required for `sent` and `paid`; pass a value
/// <= 0 for "not given". `rpo` (postal tracking number) is required for
/// `sent`; NULL or "" means not given. Blocks for at most the timeout.
/// `*out_json` as for `jc_delete_order` (free with `jc_string_free`).
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn jc_update_order_status(
    client: *const jc_client,
    bill_id: *const c_char,
    status: *const c_char,
    date: i64,
    rpo: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    api_call("jc_update_order_status", out_json, || {
        let c = self::client(client)?;
        let bill_id = text(bill_id, "bill_id")?;
        let status: OrderStatus = text(status, "status")?.parse()?;
        let rpo = optional_text(rpo, "rpo")?;
        Ok(c.update_order_status(bill_id, status, (date > 0).then_some(date), rpo)?)
    })
}

/// GetBills: the orders of the customer with e-mail `email`.
///
/// `pay_status` filters by `paid`, `waiting` or `cancel`; NULL or "" means
/// all orders. On success `result` is always an object
/// `{"bill_id": {"good_id": {"good_name": ..., "good_title": ...}}}`; a
/// customer without orders is `JC_ERR_API` (code 400). Blocks for at most
/// the timeout. `*out_json` as for `jc_delete_order` (free with
/// `jc_string_free`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn jc_get_bills(
    client: *const jc_client,
    email: *const c_char,
    pay_status: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    api_call("jc_get_bills", out_json, || {
        let c = self::client(client)?;
        let email = text(email, "email")?;
        let pay = optional_text(pay_status, "pay_status")?
            .map(str::parse::<PayStatus>)
            .transpose()?;
        Ok(c.get_bills(email, pay)?)
    })
}

/// UpdateGood: replaces settings of an existing product.
///
/// `good_json` is a JSON object with `good_name` (required) and any of the
/// UpdateGood fields (`good_title`, `good_sum`, `good_partner_SL_link`, ...;
/// names are case-sensitive, unknown names are rejected, `null` means not
/// given). Note: the service stores `good_sum` as 0 when it is not sent.
/// Blocks for at most the timeout. `*out_json` as for `jc_delete_order`
/// (free with `jc_string_free`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn jc_update_good(
    client: *const jc_client,
    good_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    api_call("jc_update_good", out_json, || {
        let c = self::client(client)?;
        let json = required_json(good_json, "good_json")?;
        let good = Good::from_json(json).map_err(|e| with_name(e, "good_json"))?;
        Ok(c.update_good(&good)?)
    })
}

/// Calls any API method (`AddLeadToGroup`, `GetAllGoods`, ...), signed like
/// the others.
///
/// `method` is letters and digits. `params_json` is NULL or a JSON object;
/// its pairs are sent in order, nested objects/lists as `key[sub]`, `null`
/// skipped, booleans as 1/0, non-integers as PHP writes doubles (`0.3`,
/// `1.0E+15`). Keys PHP would mangle (`.`, space, `[`, `]`, control bytes,
/// empty, array keys starting with `__Host-`/`__Secure-`), duplicates,
/// `hash` and more than 999 values are rejected. Blocks for at most the
/// timeout. `*out_json` as for `jc_delete_order` (free with
/// `jc_string_free`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn jc_call(
    client: *const jc_client,
    method: *const c_char,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    api_call("jc_call", out_json, || {
        let c = self::client(client)?;
        let method = text(method, "method")?;
        let params = match json_text(params_json, "params_json")? {
            Some(j) => Params::from_json(j).map_err(|e| with_name(e, "params_json"))?,
            None => Params::new(),
        };
        Ok(c.call(method, &params)?)
    })
}

/// Runs many calls with at most `concurrency` (1..64) in flight over the
/// client's kept-alive connections.
///
/// `calls_json` is a JSON list of `{"method": "...", "params": {...},
/// "idempotent": false}` (`params` and `idempotent` optional). Returns
/// `JC_OK` once every call has ended, and `*out_json` receives a bare JSON
/// array with one document per call, in input order, each with the schema
/// of a single call; one failing call never fails the others. API error 8
/// (request limit) is retried with backoff only for DeleteOrder,
/// UpdateOrderStatus, GetBills, UpdateGood and calls marked idempotent. A
/// malformed list or concurrency is an error for the whole batch (status
/// and a single failure document). Blocks. Free `*out_json` with
/// `jc_string_free`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn jc_call_batch(
    client: *const jc_client,
    calls_json: *const c_char,
    concurrency: u32,
    out_json: *mut *mut c_char,
) -> jc_status {
    let outcome = boundary("jc_call_batch", || {
        let c = self::client(client)?;
        let json = required_json(calls_json, "calls_json")?;
        let calls = BatchCall::list_from_json(json).map_err(|e| with_name(e, "calls_json"))?;
        let results = c.call_batch(&calls, concurrency as usize)?;
        let mut doc = Vec::with_capacity(128 * results.len() + 2);
        doc.push(b'[');
        for (i, r) in results.into_iter().enumerate() {
            if i > 0 {
                doc.push(b',');
            }
            write_outcome(&mut doc, &r.map_err(Failure::Core));
        }
        doc.push(b']');
        Ok(doc)
    });
    remember(&outcome);
    let (status, doc) = match outcome {
        Ok(doc) => (jc_status::JC_OK, doc),
        Err(f) => {
            let mut doc = Vec::new();
            let status = f.status();
            write_outcome(&mut doc, &Err(f));
            (status, doc)
        }
    };
    if !out_json.is_null() {
        *out_json = into_c_string(doc);
    }
    status
}

/// Frees a string returned through an `out_json` argument. NULL is a no-op.
/// Each string must be freed exactly once, with this function only.
#[no_mangle]
pub unsafe extern "C" fn jc_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    let _ = boundary("jc_string_free", || {
        drop(CString::from_raw(s));
        Ok(())
    });
}

/// The name of a status (`"ok"`, `"bad_signature"`, ...), as used in the
/// JSON `status` field; `"unknown"` for numbers outside the enum. Static:
/// never freed. Thread-safe.
#[no_mangle]
pub extern "C" fn jc_status_name(status: u32) -> *const c_char {
    STATUS_NAMES
        .get(status as usize)
        .map_or(c"unknown".as_ptr(), |n| n.as_ptr().cast())
}

/// The library version, e.g. `"0.1.0"` (the crate version). Static: never
/// freed. Thread-safe.
#[no_mangle]
pub extern "C" fn jc_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The message of the last failed call on the calling thread, or "" if the
/// last call succeeded; "last call" means the last function that returns a
/// `jc_status` (freeing strings or clients does not change it). This is
/// where `jc_client_new` explains a failure. The pointer stays valid until
/// the next such call on the same thread; copy it to keep it. Never freed by
/// the caller.
#[no_mangle]
pub extern "C" fn jc_last_error_message() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// Test hook (not in the header, only built with the `sandbox` feature):
/// panics inside the boundary so tests can see `JC_ERR_PANIC`.
#[cfg(feature = "sandbox")]
#[no_mangle]
pub unsafe extern "C" fn jc_test_panic(out_json: *mut *mut c_char) -> jc_status {
    api_call("jc_test_panic", out_json, || {
        panic!("deliberate test panic")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(p: *mut c_char) -> String {
        assert!(!p.is_null());
        let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned();
        unsafe { jc_string_free(p) };
        s
    }

    fn last_error() -> String {
        unsafe { CStr::from_ptr(jc_last_error_message()) }
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn status_names_match_core_kinds() {
        for kind in [
            crate::ErrorKind::InvalidArgument,
            crate::ErrorKind::Transport,
            crate::ErrorKind::Timeout,
            crate::ErrorKind::HttpStatus,
            crate::ErrorKind::BadResponse,
            crate::ErrorKind::BadSignature,
            crate::ErrorKind::Api,
        ] {
            assert_eq!(status_name(kind.code()), kind.name());
        }
        let name = |n| {
            unsafe { CStr::from_ptr(jc_status_name(n)) }
                .to_str()
                .unwrap()
        };
        assert_eq!(name(0), "ok");
        assert_eq!(name(9), "panic");
        assert_eq!(name(10), "unknown");
        assert_eq!(name(u32::MAX), "unknown");
    }

    #[test]
    fn version_matches_cargo() {
        let v = unsafe { CStr::from_ptr(jc_version()) }.to_str().unwrap();
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn client_new_failures_leave_null_and_explain() {
        let mut c: *mut jc_client = std::ptr::dangling_mut();
        let st = unsafe {
            jc_client_new(
                c"evil.com/x?".as_ptr(),
                c"s".as_ptr(),
                std::ptr::null(),
                &mut c,
            )
        };
        assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
        assert!(c.is_null());
        assert!(last_error().contains("not a valid JustClick login"));
        let st =
            unsafe { jc_client_new(std::ptr::null(), c"s".as_ptr(), std::ptr::null(), &mut c) };
        assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
        assert_eq!(last_error(), "login is NULL");
        let st = unsafe {
            jc_client_new(
                c"demo".as_ptr(),
                c"s".as_ptr(),
                c"{\"bogus\":1}".as_ptr(),
                &mut c,
            )
        };
        assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
        assert!(last_error().contains("unknown option"));
        let bad_utf8 = [b'd', 0xff, 0];
        let st = unsafe {
            jc_client_new(
                bad_utf8.as_ptr().cast(),
                c"s".as_ptr(),
                std::ptr::null(),
                &mut c,
            )
        };
        assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
        assert!(last_error().contains("login is not valid UTF-8"));
        let st = unsafe {
            jc_client_new(
                c"demo".as_ptr(),
                c"s".as_ptr(),
                std::ptr::null(),
                std::ptr::null_mut(),
            )
        };
        assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
        let st =
            unsafe { jc_client_new(c"demo".as_ptr(), c"s".as_ptr(), std::ptr::null(), &mut c) };
        assert_eq!(st, jc_status::JC_OK);
        assert_eq!(last_error(), "");
        unsafe { jc_client_free(c) };
    }

    #[test]
    fn failure_documents_have_fixed_keys() {
        let mut out: *mut c_char = std::ptr::null_mut();
        let st = unsafe { jc_delete_order(std::ptr::null(), c"1".as_ptr(), &mut out) };
        assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
        assert_eq!(
            take(out),
            r#"{"ok":false,"status":"null_argument","message":"client is NULL"}"#
        );
        let mut doc = Vec::new();
        write_outcome(
            &mut doc,
            &Err(Failure::Core(Error::Api {
                code: 8,
                text: "limit".into(),
            })),
        );
        assert_eq!(
            String::from_utf8(doc).unwrap(),
            r#"{"ok":false,"status":"api","message":"JustClick API error 8: limit","error_code":8,"error_text":"limit"}"#
        );
        let mut doc = Vec::new();
        write_outcome(
            &mut doc,
            &Err(Failure::Core(Error::HttpStatus {
                status: 502,
                message: "m".into(),
            })),
        );
        assert_eq!(
            String::from_utf8(doc).unwrap(),
            r#"{"ok":false,"status":"http_status","message":"m","http_status":502}"#
        );
        let mut doc = Vec::new();
        write_outcome(
            &mut doc,
            &Ok(Response {
                error_text: "OK".into(),
                result: None,
            }),
        );
        assert_eq!(
            String::from_utf8(doc).unwrap(),
            r#"{"ok":true,"error_code":0,"error_text":"OK","result":null}"#
        );
    }

    #[cfg(feature = "sandbox")]
    #[test]
    fn panics_become_a_status() {
        let mut out: *mut c_char = std::ptr::null_mut();
        let st = unsafe { jc_test_panic(&mut out) };
        assert_eq!(st, jc_status::JC_ERR_PANIC);
        let doc = take(out);
        assert!(
            doc.starts_with(
                r#"{"ok":false,"status":"panic","message":"internal error in jc_test_panic"#
            ),
            "{doc}"
        );
        assert!(last_error().contains("deliberate test panic"));
    }
}
