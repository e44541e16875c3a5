//! `jc_call_batch`: many calls over one client, one document per call.

use std::ffi::{c_char, CString};

use super::arg;
use super::boundary::{ffi_fn, Failure};
use super::codes::jc_status;
use super::document::{c_string, document, write_outcome, Document, PANIC_FALLBACK};
use super::handles::jc_client;
use crate::batch::BatchCall;
use crate::error::Error;
use crate::response::Response;

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
    ffi_fn!(jc_call_batch(client: client, calls_json: required_json) -> document(out_json) {
        let calls = BatchCall::list_from_json(calls_json).map_err(|e| arg::named(e, "calls_json"))?;
        client.call_batch(&calls, concurrency as usize)
    })
}

/// A batch: the call succeeds once every call has ended, and its document is
/// the array of the calls' documents; a malformed batch is one failure
/// document.
impl Document for Vec<Result<Response, Error>> {
    fn document(outcome: Result<Self, Failure>) -> Result<(Result<(), Failure>, CString), Failure> {
        match outcome {
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
                Ok((Ok(()), c_string(doc)?))
            }
            Err(f) => {
                let failure = Err(f);
                let doc = document(&failure)?;
                Ok((failure.map(drop), doc))
            }
        }
    }
}

/// Appends one call's document to a batch's array; a document that cannot
/// be built becomes that call's panic document, never broken JSON.
pub(super) fn write_slot(out: &mut Vec<u8>, outcome: &Result<Response, Failure>) {
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
