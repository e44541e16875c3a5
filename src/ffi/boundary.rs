//! The one way into the library from C: [`ffi_fn!`], which every exported
//! body is, and the rules it applies (panic guard, NULL and UTF-8 checks,
//! out-parameters, the thread's last error).

use std::cell::RefCell;
use std::ffi::{c_char, CString};

use crate::error::Error;

use super::document::Document;
use super::jc_status;

/// Why a call failed at the boundary or in the core.
pub(super) enum Failure {
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
    pub(super) fn status(&self) -> jc_status {
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

    pub(super) fn message(&self) -> String {
        match self {
            Failure::Null(m) | Failure::Panic(m) => m.clone(),
            Failure::Core(e) => e.to_string(),
        }
    }
}

/// Writes an exported function's body, so that none can skip the rules.
///
/// ```text
/// ffi_fn!(jc_name(arg: kind, ...) -> rule { body })
/// ```
///
/// `jc_name` is the enclosing function's name (for panic messages; a test
/// in tests/header.rs checks it). Each listed pointer argument is replaced,
/// inside `body`, by its checked value ([`arg`]: `text`, `opt_text`, `json`,
/// `required_json`, `params`, `client`, `options_mut`, `opt_options`, and
/// `bytes(len)` for a pointer and length pair such as `body: bytes(body_len)`),
/// in the order listed: NULL and invalid UTF-8 are reported before the body
/// runs. Other arguments
/// (integers) are used as they are. The whole runs inside the panic guard.
/// `rule` says what the function returns and writes:
///
/// - `document(out_json)`: `body` is a `Result` whose `Ok` is a
///   [`Document`]; returns the status, records the last error, and writes
///   the document to `*out_json` on every outcome when `out_json` is not
///   NULL.
/// - `handle(out)`: `body` is a `Result<T, _>`; `*out` is set to NULL
///   first, a NULL `out` is `JC_ERR_NULL_ARGUMENT`, and on success `*out`
///   receives `Box<T>` as a raw pointer (freed by the matching `_free`).
/// - `status`: `body` is a `Result<(), _>`; returns the status and records
///   the last error.
/// - `free(ptr)`: NULL is a no-op; `body` runs with `ptr` non-NULL and its
///   panic is swallowed; the last error is left alone.
/// - `value(fallback)`: `body` is the value returned, `fallback` if it
///   panics (infallible getters).
///
/// In `body`, `?` converts core errors; the body's `Result` may carry
/// [`Error`] or [`Failure`].
macro_rules! ffi_fn {
    ($name:ident($($arg:ident: $kind:ident $(($len:ident))?),* $(,)?) -> document($out:ident) $body:block) => {
        $crate::ffi::boundary::with_document(stringify!($name), $out, || {
            $(let $arg = $crate::ffi::boundary::arg::$kind($arg, $($len,)? stringify!($arg))?;)*
            $crate::ffi::boundary::lift($body)
        })
    };
    ($name:ident($($arg:ident: $kind:ident $(($len:ident))?),* $(,)?) -> handle($out:ident) $body:block) => {
        $crate::ffi::boundary::with_handle(stringify!($name), $out, stringify!($out), || {
            $(let $arg = $crate::ffi::boundary::arg::$kind($arg, $($len,)? stringify!($arg))?;)*
            $crate::ffi::boundary::lift($body)
        })
    };
    ($name:ident($($arg:ident: $kind:ident $(($len:ident))?),* $(,)?) -> status $body:block) => {
        $crate::ffi::boundary::with_status(stringify!($name), || {
            $(let $arg = $crate::ffi::boundary::arg::$kind($arg, $($len,)? stringify!($arg))?;)*
            $crate::ffi::boundary::lift($body)
        })
    };
    ($name:ident() -> free($ptr:ident) $body:block) => {
        $crate::ffi::boundary::with_free(stringify!($name), $ptr, |$ptr| $body)
    };
    ($name:ident() -> value($fallback:expr) $body:block) => {
        $crate::ffi::boundary::with_value(stringify!($name), $fallback, || $body)
    };
}
pub(super) use ffi_fn;

/// The body's result with its error as a [`Failure`].
pub(super) fn lift<T, E>(r: Result<T, E>) -> Result<T, Failure>
where
    Failure: From<E>,
{
    r.map_err(Failure::from)
}

/// Runs `f` inside the panic guard ([`crate::guard`], the same guard every
/// call of a batch runs in: silent, the previous hook kept for panics
/// elsewhere); a panic becomes `Failure::Panic`.
pub(super) fn guarded<T>(
    function: &str,
    f: impl FnOnce() -> Result<T, Failure>,
) -> Result<T, Failure> {
    crate::guard::catch(f).unwrap_or_else(|detail| {
        Err(Failure::Panic(format!(
            "internal error in {function} (a bug in justclick {}; please report it): {detail}",
            crate::VERSION
        )))
    })
}

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

/// The calling thread's last error message ("" when there is none or the
/// thread is being torn down). Valid until the next status-returning call.
pub(super) fn last_error_ptr() -> *const c_char {
    LAST_ERROR
        .try_with(|e| e.try_borrow().map(|e| e.as_ptr()).ok())
        .ok()
        .flatten()
        .unwrap_or(c"".as_ptr())
}

/// Records the outcome for `jc_last_error_message` (status-returning
/// functions only, so freeing a string does not erase the message) and
/// turns it into the returned status.
fn finish(outcome: Result<(), Failure>) -> jc_status {
    match outcome {
        Ok(()) => {
            set_last_error("");
            jc_status::JC_OK
        }
        Err(f) => {
            set_last_error(&f.message());
            f.status()
        }
    }
}

/// The `document(out_json)` rule of [`ffi_fn!`]: the status is returned,
/// the message kept for `jc_last_error_message`, and the document (built
/// inside the guard too) written to `*out_json` when `out_json` is not NULL.
/// The document always agrees with the status.
///
/// SAFETY: `out_json` is NULL or points to a writable `char *`.
pub(super) unsafe fn with_document<T: Document>(
    function: &str,
    out_json: *mut *mut c_char,
    f: impl FnOnce() -> Result<T, Failure>,
) -> jc_status {
    let want_doc = !out_json.is_null();
    let done = guarded(function, || {
        let outcome = f();
        if want_doc {
            T::document(outcome).map(|(o, d)| (o, Some(d)))
        } else {
            Ok((outcome.map(drop), None))
        }
    });
    let (outcome, doc) = match done {
        Ok(done) => done,
        Err(failure) if want_doc => {
            let outcome = Err(failure);
            let doc = super::document::failure_document(&outcome);
            (outcome.map(drop), Some(doc))
        }
        Err(failure) => (Err(failure), None),
    };
    if let Some(doc) = doc {
        *out_json = doc.into_raw();
    }
    finish(outcome)
}

/// The `handle(out)` rule of [`ffi_fn!`]: `*out` is NULL unless `f`
/// succeeds, then it owns a new `Box<T>`.
///
/// SAFETY: `out` is NULL or points to a writable `T *`.
pub(super) unsafe fn with_handle<T>(
    function: &str,
    out: *mut *mut T,
    out_name: &str,
    f: impl FnOnce() -> Result<T, Failure>,
) -> jc_status {
    if !out.is_null() {
        *out = std::ptr::null_mut();
    }
    let built = guarded(function, || {
        if out.is_null() {
            return Err(Failure::Null(format!("{out_name} is NULL")));
        }
        f().map(|v| Box::into_raw(Box::new(v)))
    });
    finish(built.map(|handle| *out = handle))
}

/// The `status` rule of [`ffi_fn!`].
pub(super) fn with_status(function: &str, f: impl FnOnce() -> Result<(), Failure>) -> jc_status {
    finish(guarded(function, f))
}

/// The `free(ptr)` rule of [`ffi_fn!`]: NULL is a no-op and nothing is
/// reported (a destructor has no status).
pub(super) fn with_free<T>(function: &str, ptr: *mut T, f: impl FnOnce(*mut T)) {
    if ptr.is_null() {
        return;
    }
    let _ = guarded(function, || {
        f(ptr);
        Ok(())
    });
}

/// The `value(fallback)` rule of [`ffi_fn!`].
pub(super) fn with_value<T>(function: &str, fallback: T, f: impl FnOnce() -> T) -> T {
    guarded(function, || Ok(f())).unwrap_or(fallback)
}

/// The argument kinds of [`ffi_fn!`]: each checks one C argument and
/// returns its Rust value, naming the argument in its error.
///
/// SAFETY (all): a pointer argument is NULL or valid for the call as the
/// header documents (a NUL-terminated string, or a handle from its `_new`
/// not yet freed).
pub(super) mod arg {
    use std::ffi::{c_char, CStr};

    use super::Failure;
    use crate::encode::Params;
    use crate::error::Error;
    use crate::ffi::{jc_client, jc_options};
    use crate::Client;

    /// Largest JSON or byte-buffer argument accepted (16 MiB).
    const MAX_JSON_INPUT: usize = 16 << 20;

    /// A required string as UTF-8.
    pub(crate) unsafe fn text<'a>(p: *const c_char, name: &str) -> Result<&'a str, Failure> {
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
    pub(crate) unsafe fn opt_text<'a>(
        p: *const c_char,
        name: &str,
    ) -> Result<Option<&'a str>, Failure> {
        if p.is_null() {
            return Ok(None);
        }
        text(p, name).map(|s| (!s.is_empty()).then_some(s))
    }

    /// An optional JSON argument: NULL or `""` is not given; UTF-8 and at
    /// most 16 MiB.
    pub(crate) unsafe fn json<'a>(
        p: *const c_char,
        name: &str,
    ) -> Result<Option<&'a str>, Failure> {
        let Some(s) = opt_text(p, name)? else {
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
    pub(crate) unsafe fn required_json<'a>(
        p: *const c_char,
        name: &str,
    ) -> Result<&'a str, Failure> {
        if p.is_null() {
            return Err(Failure::Null(format!("{name} is NULL")));
        }
        json(p, name)?
            .ok_or_else(|| Failure::Core(Error::InvalidArgument(format!("{name} is empty"))))
    }

    /// The parameters of a call: NULL, `""` or a JSON object (see `jc_call`
    /// for what is accepted), as [`Params`].
    pub(crate) unsafe fn params(p: *const c_char, name: &str) -> Result<Params, Failure> {
        match json(p, name)? {
            Some(j) => Params::from_json(j).map_err(|e| named(e, name)),
            None => Ok(Params::new()),
        }
    }

    /// A byte buffer given as a pointer and a length (not NUL-terminated):
    /// NULL with `len` 0 is an empty buffer, refused as an invalid argument
    /// (no caller means "nothing" by it); NULL with `len` > 0 is a NULL
    /// argument. At most 16 MiB, checked before the buffer is touched.
    ///
    /// SAFETY: a non-NULL `p` is valid for reads of `len` bytes.
    pub(crate) unsafe fn bytes<'a>(
        p: *const c_char,
        len: usize,
        name: &str,
    ) -> Result<&'a [u8], Failure> {
        if p.is_null() {
            return Err(if len == 0 {
                Failure::Core(Error::InvalidArgument(format!(
                    "{name} is empty (NULL with length 0)"
                )))
            } else {
                Failure::Null(format!("{name} is NULL (with length {len})"))
            });
        }
        if len > MAX_JSON_INPUT {
            return Err(Failure::Core(Error::InvalidArgument(format!(
                "{name} is larger than {MAX_JSON_INPUT} bytes"
            ))));
        }
        Ok(std::slice::from_raw_parts(p.cast::<u8>(), len))
    }

    /// A required client handle.
    pub(crate) unsafe fn client<'a>(
        c: *const jc_client,
        _name: &str,
    ) -> Result<&'a Client, Failure> {
        if c.is_null() {
            return Err(Failure::Null("client is NULL".into()));
        }
        Ok(&(*c).inner)
    }

    /// A required options builder, to modify (`jc_options *`).
    pub(crate) unsafe fn options_mut<'a>(
        o: *mut jc_options,
        name: &str,
    ) -> Result<&'a mut jc_options, Failure> {
        if o.is_null() {
            return Err(Failure::Null(format!("{name} is NULL")));
        }
        Ok(&mut *o)
    }

    /// An optional options builder, read only (`const jc_options *`).
    pub(crate) unsafe fn opt_options<'a>(
        o: *const jc_options,
        _name: &str,
    ) -> Result<Option<&'a jc_options>, Failure> {
        Ok(o.as_ref())
    }

    /// An argument error prefixed with the argument's name.
    pub(crate) fn named(e: Error, name: &str) -> Failure {
        match e {
            Error::InvalidArgument(m) => {
                Failure::Core(Error::InvalidArgument(format!("{name}: {m}")))
            }
            other => Failure::Core(other),
        }
    }
}
