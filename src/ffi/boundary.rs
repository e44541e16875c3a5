//! The one way into the library from C: [`ffi_fn!`], which every exported
//! body is, and the rules it applies (panic guard, NULL and UTF-8 checks,
//! out-parameters, the thread's last error).

use std::cell::RefCell;
use std::ffi::{c_char, CString};

use super::codes::jc_status;
use super::document::Document;
pub(super) use super::failure::Failure;

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
            $(let $arg = $crate::ffi::arg::$kind($arg, $($len,)? stringify!($arg))?;)*
            $crate::ffi::boundary::lift($body)
        })
    };
    ($name:ident($($arg:ident: $kind:ident $(($len:ident))?),* $(,)?) -> handle($out:ident) $body:block) => {
        $crate::ffi::boundary::with_handle(stringify!($name), $out, stringify!($out), || {
            $(let $arg = $crate::ffi::arg::$kind($arg, $($len,)? stringify!($arg))?;)*
            $crate::ffi::boundary::lift($body)
        })
    };
    ($name:ident($($arg:ident: $kind:ident $(($len:ident))?),* $(,)?) -> status $body:block) => {
        $crate::ffi::boundary::with_status(stringify!($name), || {
            $(let $arg = $crate::ffi::arg::$kind($arg, $($len,)? stringify!($arg))?;)*
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
            "internal error in {function} ({}): {detail}",
            crate::guard::BUG
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
