//! The JSON documents written to `*out_json` (schema in the header);
//! `jc_string_free` (src/ffi/status.rs) frees them.

use std::ffi::{CStr, CString};

use serde::Serialize;
use serde_json::Value as Json;

use super::failure::Failure;
use crate::error::Error;
use crate::notify::Notification;
use crate::response::Response;

/// What an export writes to `*out_json`: built from the outcome of its body
/// inside the panic guard. Returns the outcome the status reports (which
/// may differ from the body's: a batch succeeds when its calls fail) and
/// the document; an error building it is a [`Failure::Panic`].
pub(super) trait Document: Sized {
    fn document(outcome: Result<Self, Failure>) -> Result<(Result<(), Failure>, CString), Failure>;
}

/// One call: the single-document schema.
impl Document for Response {
    fn document(outcome: Result<Self, Failure>) -> Result<(Result<(), Failure>, CString), Failure> {
        let doc = document(&outcome)?;
        Ok((outcome.map(drop), doc))
    }
}

/// A verified notification: `Notification::to_json` on success, the
/// failure schema otherwise.
impl Document for Notification {
    fn document(outcome: Result<Self, Failure>) -> Result<(Result<(), Failure>, CString), Failure> {
        match outcome {
            Ok(n) => Ok((Ok(()), c_string(n.to_json().into_bytes())?)),
            Err(f) => {
                let outcome = Err(f);
                let doc = document(&outcome)?;
                Ok((outcome.map(drop), doc))
            }
        }
    }
}

#[derive(Serialize)]
struct SuccessDoc<'a> {
    ok: bool,
    error_code: i64,
    error_text: &'a str,
    result: &'a Json,
    /// A documented special answer (`already_exists`, `already_registered`);
    /// absent for an ordinary success, so older documents are unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'static str>,
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
pub(super) fn write_outcome(
    out: &mut Vec<u8>,
    outcome: &Result<Response, Failure>,
) -> serde_json::Result<()> {
    const NULL: Json = Json::Null;
    #[cfg(test)]
    #[cfg(test)]
    maybe_panic_in_document();
    match outcome {
        Ok(r) => serde_json::to_writer(
            &mut *out,
            &SuccessDoc {
                ok: true,
                error_code: 0,
                error_text: &r.error_text,
                result: r.result.as_ref().unwrap_or(&NULL),
                outcome: r.outcome.as_ref().map(|o| o.name()),
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
                    status: f.status().name(),
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
pub(super) const PANIC_FALLBACK: &CStr =
    c"{\"ok\":false,\"status\":\"panic\",\"message\":\"internal error in justclick: the result document could not be built\"}";

/// The document for `outcome` as a C string. A failure to build it (which
/// would be a bug) is a panic failure, so the caller reports `JC_ERR_PANIC`
/// with a document that says so.
pub(super) fn document(outcome: &Result<Response, Failure>) -> Result<CString, Failure> {
    let mut doc = Vec::with_capacity(256);
    write_outcome(&mut doc, outcome).map_err(|e| {
        Failure::Panic(format!("internal error: cannot serialize the outcome: {e}"))
    })?;
    c_string(doc)
}

/// `doc` as a C string; serde_json escapes U+0000, so this cannot fail
/// (checked anyway).
pub(super) fn c_string(doc: Vec<u8>) -> Result<CString, Failure> {
    CString::new(doc).map_err(|_| Failure::Panic("internal error: NUL in output".into()))
}

/// The document of a failure caught outside the normal path (a panic). Built
/// inside the guard too; if that fails, [`PANIC_FALLBACK`].
pub(super) fn failure_document(outcome: &Result<Response, Failure>) -> CString {
    crate::guard::catch(|| document(outcome))
        .ok()
        .and_then(Result::ok)
        .unwrap_or_else(|| PANIC_FALLBACK.to_owned())
}

#[cfg(test)]
thread_local! {
    static PANIC_IN_DOCUMENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Test hook: the next document written on this thread panics.
#[cfg(test)]
pub(super) fn panic_in_next_document() {
    PANIC_IN_DOCUMENT.with(|p| p.set(true));
}

#[cfg(test)]
fn maybe_panic_in_document() {
    if PANIC_IN_DOCUMENT.with(|p| p.replace(false)) {
        panic!("deliberate panic while writing a document");
    }
}
