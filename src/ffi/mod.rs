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

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};

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
                Error::Panic(_) => jc_status::JC_ERR_PANIC,
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

/// Appends the JSON document for one outcome (schema in the header). On an
/// error `out` may hold part of a document: callers start over.
fn write_outcome(out: &mut Vec<u8>, outcome: &Result<Response, Failure>) -> serde_json::Result<()> {
    const NULL: Json = Json::Null;
    #[cfg(test)]
    tests::maybe_panic_in_document();
    match outcome {
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
    }
}

/// The last resort when even a panic's document cannot be built: valid JSON
/// that agrees with `JC_ERR_PANIC`, the only status that reaches it.
const PANIC_FALLBACK: &CStr =
    c"{\"ok\":false,\"status\":\"panic\",\"message\":\"internal error in justclick: the result document could not be built\"}";

/// The document for `outcome` as a C string. A failure to build it (which
/// would be a bug) is a panic failure, so the caller reports `JC_ERR_PANIC`
/// with a document that says so.
fn document(outcome: &Result<Response, Failure>) -> Result<CString, Failure> {
    let mut doc = Vec::with_capacity(256);
    write_outcome(&mut doc, outcome).map_err(|e| {
        Failure::Panic(format!("internal error: cannot serialize the outcome: {e}"))
    })?;
    // serde_json escapes U+0000, so this cannot fail; checked anyway.
    CString::new(doc).map_err(|_| Failure::Panic("internal error: NUL in output".into()))
}

/// The document of a failure caught outside the normal path (a panic). Built
/// inside the guard too; if that fails, [`PANIC_FALLBACK`].
fn failure_document(outcome: &Result<Response, Failure>) -> CString {
    crate::guard::catch(|| document(outcome))
        .ok()
        .and_then(Result::ok)
        .unwrap_or_else(|| PANIC_FALLBACK.to_owned())
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
}

/// Records `message` for `jc_last_error_message`. During thread teardown the
/// thread-local may be gone already: then there is nowhere to record it, and
/// `try_with` keeps that from becoming an abort.
fn set_last_error(message: &str) {
    let _ = LAST_ERROR.try_with(|e| {
        let Ok(mut e) = e.try_borrow_mut() else {
            return;
        };
        // Success after success: nothing to clear (keeps the hot path free
        // of an allocation).
        if message.is_empty() && e.as_bytes().is_empty() {
            return;
        }
        *e = CString::new(message.replace('\0', " ")).unwrap_or_default();
    });
}

/// Runs `f` inside the panic boundary ([`crate::guard`], the same guard every
/// call of a batch runs in: silent, the previous hook kept for panics
/// elsewhere); a panic becomes `Failure::Panic`.
fn boundary<T>(function: &str, f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    crate::guard::catch(f).unwrap_or_else(|detail| {
        Err(Failure::Panic(format!(
            "internal error in {function} (a bug in justclick {}; please report it): {detail}",
            crate::VERSION
        )))
    })
}

/// Records the outcome for `jc_last_error_message` (status-returning
/// functions only, so freeing a string does not erase the message).
fn remember<T>(result: &Result<T, Failure>) {
    match result {
        Ok(_) => set_last_error(""),
        Err(f) => set_last_error(&f.message()),
    }
}

/// Runs one function at the boundary and reports it: the status is
/// returned, the message kept for `jc_last_error_message`, and the document
/// (built by `doc` inside the boundary too) written to `*out_json` when
/// `out_json` is not NULL. The document always agrees with the status.
fn report<T>(
    function: &str,
    out_json: *mut *mut c_char,
    f: impl FnOnce() -> Result<T, Failure>,
    doc: impl FnOnce(Result<T, Failure>) -> Result<(Result<(), Failure>, CString), Failure>,
) -> jc_status {
    let want_doc = !out_json.is_null();
    let done = boundary(function, || {
        let outcome = f();
        if want_doc {
            doc(outcome).map(|(o, d)| (o, Some(d)))
        } else {
            Ok((outcome.map(drop), None))
        }
    });
    let (outcome, doc) = match done {
        Ok(done) => done,
        Err(failure) if want_doc => {
            let outcome = Err(failure);
            let doc = failure_document(&outcome);
            (outcome.map(drop), Some(doc))
        }
        Err(failure) => (Err(failure), None),
    };
    remember(&outcome);
    if let Some(doc) = doc {
        // SAFETY: the caller guarantees a non-NULL out_json points to a
        // writable `char *`.
        unsafe { *out_json = doc.into_raw() };
    }
    match outcome {
        Ok(()) => jc_status::JC_OK,
        Err(f) => f.status(),
    }
}

/// [`report`] for one API call.
fn api_call(
    function: &str,
    out_json: *mut *mut c_char,
    f: impl FnOnce() -> Result<Response, Failure>,
) -> jc_status {
    report(function, out_json, f, |outcome| {
        let doc = document(&outcome)?;
        Ok((outcome.map(drop), doc))
    })
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
/// (string, replaces `https://{login}.justclick.ru`; `http://` only to
/// loopback), `allow_insecure_http` (boolean, default false: `true` allows
/// `http://` to any host), `timeout_ms` (overall, 1 to 3600000, default
/// 30000), `connect_timeout_ms` (1 to 3600000, default 10000), `ca_file` (PEM
/// file of CAs added to the bundled roots; verification cannot be turned off),
/// `proxy` (`http://`, `https://`, `socks5://` or `socks5h://` URL; `""` =
/// direct; default: the environment as curl reads it, `https_proxy`/
/// `HTTPS_PROXY` or lowercase `http_proxy`, then `all_proxy`/`ALL_PROXY`,
/// with `no_proxy`/`NO_PROXY`), `user_agent` (default `justclick/<version>`),
/// `max_response_bytes` (1 to 1073741824, default 8388608),
/// `rate_limit_retries` (batches, 0 to 10, default 3), `rate_limit_backoff_ms`
/// (1 to 60000, default 250), `persistent` (bool, default false: when true,
/// clients with the same login, secret and options share one connection pool
/// that outlives them, per process, at most 16 pools), `idle_timeout_ms`
/// (idle connections are not reused after this, 1 to 3600000, default 30000),
/// `batch_timeout_ms` (deadline of a `jc_call_batch`, 1 to 86400000; default:
/// none, see `jc_call_batch`). Unknown keys, wrong types, values out of range
/// and an unusable proxy (from the option or the environment) are
/// `JC_ERR_INVALID_ARGUMENT`.
///
/// On success `*out_client` receives a new client, owned by the caller and
/// freed with `jc_client_free`. On failure `*out_client` is set to NULL and
/// the reason is in `jc_last_error_message()`. The secret is copied; the
/// caller's buffers are not kept. Does no network I/O. Thread-safe, except
/// that without a `proxy` option it reads the proxy environment variables:
/// do not call it while another thread may `setenv`/`putenv` (a libc
/// limitation).
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
/// `date` is a UNIX timestamp in seconds, required for `sent` and `paid`;
/// pass a value <= 0 for "not given". Values after the year 9999 (that is,
/// millisecond timestamps) are `JC_ERR_INVALID_ARGUMENT`. `rpo` (postal tracking number) is required for
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
/// call that hits a bug in the library gets a `"panic"` document in its
/// slot; the others are kept. A malformed list or concurrency is an error
/// for the whole batch (status and a single failure document). Free
/// `*out_json` with `jc_string_free`. Thread-safe.
///
/// Blocks until every call has ended. With the client option
/// `batch_timeout_ms`, calls not started by that deadline are never sent and
/// get `{"ok":false,"status":"timeout","message":"not sent: ..."}`, and no
/// rate-limit retry starts after it; calls already sent keep their own
/// timeout. The batch then returns by `batch_timeout_ms + timeout_ms` (plus
/// scheduling). Without it (the default) the only bound is
/// `ceil(calls / concurrency)` times (`timeout_ms` x (1 +
/// `rate_limit_retries`) + the backoff sleeps, each at most 30 s): hours for
/// a large batch. Nothing (neither a signal nor PHP's `max_execution_time`)
/// interrupts the call early.
#[no_mangle]
pub unsafe extern "C" fn jc_call_batch(
    client: *const jc_client,
    calls_json: *const c_char,
    concurrency: u32,
    out_json: *mut *mut c_char,
) -> jc_status {
    let run = || {
        let c = self::client(client)?;
        let json = required_json(calls_json, "calls_json")?;
        let calls = BatchCall::list_from_json(json).map_err(|e| with_name(e, "calls_json"))?;
        Ok(c.call_batch(&calls, concurrency as usize)?)
    };
    report("jc_call_batch", out_json, run, |outcome| match outcome {
        Ok(results) => {
            let mut doc = Vec::with_capacity(128 * results.len() + 2);
            doc.push(b'[');
            for (i, r) in results.into_iter().enumerate() {
                if i > 0 {
                    doc.push(b',');
                }
                write_slot(&mut doc, &r.map_err(Failure::Core));
            }
            doc.push(b']');
            let doc = CString::new(doc)
                .map_err(|_| Failure::Panic("internal error: NUL in output".into()))?;
            Ok((Ok(()), doc))
        }
        Err(f) => {
            let failure = Err(f);
            let doc = document(&failure)?;
            Ok((failure.map(drop), doc))
        }
    })
}

/// Appends one call's document to a batch's array; a document that cannot
/// be built becomes that call's panic document, never broken JSON.
fn write_slot(out: &mut Vec<u8>, outcome: &Result<Response, Failure>) {
    let start = out.len();
    if write_outcome(out, outcome).is_ok() {
        return;
    }
    out.truncate(start);
    let failure = Err(Failure::Panic(
        "internal error: cannot serialize the outcome of this call".into(),
    ));
    if write_outcome(out, &failure).is_err() {
        out.truncate(start);
        out.extend_from_slice(PANIC_FALLBACK.to_bytes());
    }
}

/// Frees a string returned through an `out_json` argument. NULL is a no-op.
/// Each string must be freed exactly once, with this function only, and
/// must not be modified (not even its length) before that.
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
    LAST_ERROR
        .try_with(|e| e.try_borrow().map(|e| e.as_ptr()).ok())
        .ok()
        .flatten()
        .unwrap_or(c"".as_ptr())
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
    use std::cell::Cell;

    thread_local! {
        static PANIC_IN_DOCUMENT: Cell<bool> = const { Cell::new(false) };
    }

    /// Test hook: panics once while a document is written, when armed.
    pub(super) fn maybe_panic_in_document() {
        if PANIC_IN_DOCUMENT.with(|p| p.replace(false)) {
            panic!("deliberate panic while writing a document");
        }
    }

    #[test]
    fn documents_are_built_inside_the_boundary() {
        let ok = || {
            Ok(Response {
                error_text: "OK".into(),
                result: None,
                outcome: None,
            })
        };
        PANIC_IN_DOCUMENT.with(|p| p.set(true));
        let mut out: *mut c_char = std::ptr::null_mut();
        let st = api_call("jc_doc_test", &mut out, ok);
        assert_eq!(
            st,
            jc_status::JC_ERR_PANIC,
            "the status agrees with the document"
        );
        let doc: Json = serde_json::from_str(&take(out)).unwrap();
        assert_eq!(doc["ok"], false);
        assert_eq!(doc["status"], "panic");
        assert!(last_error().contains("deliberate panic while writing"));
        // A slot of a batch whose document fails becomes a panic document.
        let mut doc = b"[".to_vec();
        PANIC_IN_DOCUMENT.with(|p| p.set(true));
        let slot = crate::guard::catch(|| write_slot(&mut doc, &ok()));
        assert!(slot.is_err(), "the hook fired");
        assert_eq!(api_call("jc_doc_test", &mut out, ok), jc_status::JC_OK);
        let doc: Json = serde_json::from_str(&take(out)).unwrap();
        assert_eq!(doc["ok"], true);
    }

    #[test]
    fn calls_during_thread_teardown_do_not_abort() {
        use std::sync::atomic::{AtomicU32, Ordering};
        static STATUS: AtomicU32 = AtomicU32::new(u32::MAX);
        struct Late;
        impl Drop for Late {
            fn drop(&mut self) {
                // Runs after LAST_ERROR's destructor: Late was registered
                // first, and thread-local destructors run in reverse order.
                let mut out: *mut c_char = std::ptr::null_mut();
                let st = unsafe { jc_delete_order(std::ptr::null(), c"1".as_ptr(), &mut out) };
                let msg = unsafe { CStr::from_ptr(jc_last_error_message()) };
                assert!(msg.to_bytes().len() < 1000);
                unsafe { jc_string_free(out) };
                STATUS.store(st as u32, Ordering::SeqCst);
            }
        }
        thread_local! {
            static LATE: Late = const { Late };
        }
        std::thread::spawn(|| {
            LATE.with(|_| {});
            let mut out: *mut c_char = std::ptr::null_mut();
            let st = unsafe { jc_delete_order(std::ptr::null(), c"1".as_ptr(), &mut out) };
            assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
            unsafe { jc_string_free(out) };
        })
        .join()
        .unwrap();
        assert_eq!(
            STATUS.load(Ordering::SeqCst),
            jc_status::JC_ERR_NULL_ARGUMENT as u32
        );
    }

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
            crate::ErrorKind::Panic,
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
        )
        .unwrap();
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
        )
        .unwrap();
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
                outcome: None,
            }),
        )
        .unwrap();
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
