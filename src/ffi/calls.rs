//! The API calls: one export per method (see the module documentation of
//! `src/ffi` for how to add one) and `jc_call` for any method.

use std::ffi::c_char;

use super::arg;
use super::boundary::ffi_fn;
use super::codes::jc_status;
use super::handles::jc_client;
use crate::endpoints::{OrderStatus, PayStatus};
use crate::good::Good;

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
    ffi_fn!(jc_delete_order(client: client, bill_id: text) -> document(out_json) {
        client.delete_order(bill_id)
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
    ffi_fn!(jc_update_order_status(client: client, bill_id: text, status: text, rpo: opt_text) -> document(out_json) {
        let status: OrderStatus = status.parse()?;
        client.update_order_status(bill_id, status, (date > 0).then_some(date), rpo)
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
    ffi_fn!(jc_get_bills(client: client, email: text, pay_status: opt_text) -> document(out_json) {
        let pay = pay_status.map(str::parse::<PayStatus>).transpose()?;
        client.get_bills(email, pay)
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
    ffi_fn!(jc_update_good(client: client, good_json: required_json) -> document(out_json) {
        let good = Good::from_json(good_json).map_err(|e| arg::named(e, "good_json"))?;
        client.update_good(&good)
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
    ffi_fn!(jc_call(client: client, method: text, params_json: params) -> document(out_json) {
        client.call(method, &params_json)
    })
}
