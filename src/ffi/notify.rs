//! `jc_verify_notification`: checks a notification the service posted to
//! the shop (the rules live in `crate::notify`).

use std::ffi::c_char;

use super::boundary::ffi_fn;
use super::codes::jc_status;
use super::handles::jc_client;

/// Verifies a notification the service posted to the shop (new, cancelled,
/// paid, prepaid or refunded order; subscription).
///
/// `body` is the raw `application/x-www-form-urlencoded` request body as
/// received, `body_len` bytes long (not NUL-terminated; any bytes). It is
/// parsed as PHP fills `$_POST`, the event recognised and the `hash` of
/// order events checked in constant time against the client's secret. On
/// success `*out_json` is
/// `{"ok":true,"event":"new_order"|"cancel_order"|"payment"|"prepayment"|"moneyback"|"subscribe"|"unsubscribe","verified":true|false,"hash_rule":"documented"|"empty_time"|null,"fields":{...}}`
/// (`fields`: every posted field but `hash`, nested as PHP nests them,
/// leaves as strings); `verified` is false only for the subscription events,
/// which carry no hash: confirm them with `jc_get_lead_group_statuses`. Only
/// `id`, `email` and the time are signed: read sums from
/// `jc_get_order_details` before acting on them. A missing or wrong `hash`
/// is `JC_ERR_BAD_SIGNATURE`; a body that is no notification, not UTF-8,
/// over 8 MiB or empty (also NULL with `body_len` 0) is
/// `JC_ERR_INVALID_ARGUMENT`; NULL with `body_len` > 0 is
/// `JC_ERR_NULL_ARGUMENT`. Failures write the usual failure document. No
/// network traffic. `*out_json` is owned by the caller, free with
/// `jc_string_free`. Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_verify_notification(
    client: *const jc_client,
    body: *const c_char,
    body_len: usize,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_verify_notification(client: client, body: bytes(body_len)) -> document(out_json) {
        client.verify_notification(body)
    })
}
