//! One export per method of the table in `src/api/spec.rs` that has no
//! hand-written C signature: each takes its parameters as one JSON object
//! of the documented names and calls `Client::call_method`, which validates
//! them against the table before any traffic.

use std::ffi::c_char;

use super::boundary::ffi_fn;
use super::codes::jc_status;
use super::handles::jc_client;

// generated:begin C exports (tests/generated.rs; make header)

/// AddLeadToGroup: adds a contact to one or more groups, like a subscription
/// form.
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `rid` (a list of names or ids; one is accepted) and
/// `lead_email`; optional `lead_name`, `lead_phone`, `lead_city`, `tag`,
/// `doneurl2`, `activation`, `utm` (an object of UTM tags), `aff`, `ad`,
/// `noaff`. A contact already in every group is a success with
/// `"outcome":"already_registered"`; a code-0 text the library does not know
/// is a success with `"outcome":"unknown"` (it proves no subscription;
/// `error_text` holds the text); the service's "invalid group" answer (code
/// 0) is `JC_ERR_API` with code 103. Parameters that break the method's
/// rules (missing, unknown, wrong type or format) are
/// `JC_ERR_INVALID_ARGUMENT` before any traffic. Blocks for at most the
/// client's timeout. `*out_json` as for `jc_delete_order` (owned by the
/// caller, free with `jc_string_free`). Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_add_lead_to_group(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_add_lead_to_group(client: client, params_json: params) -> document(out_json) {
        client.call_method("AddLeadToGroup", &params_json)
    })
}

/// UpdateSubscriberData: replaces the name, phone, city or tags of a contact
/// found by e-mail.
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `lead_email`; optional `lead_name`, `lead_phone`, `lead_city`,
/// `lead_tags`. Parameters that break the method's rules (missing, unknown,
/// wrong type or format) are `JC_ERR_INVALID_ARGUMENT` before any traffic.
/// Blocks for at most the client's timeout. `*out_json` as for
/// `jc_delete_order` (owned by the caller, free with `jc_string_free`).
/// Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_update_subscriber_data(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_update_subscriber_data(client: client, params_json: params) -> document(out_json) {
        client.call_method("UpdateSubscriberData", &params_json)
    })
}

/// DeleteSubscribe: unsubscribes a contact from a group (or a list of
/// groups).
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `lead_email` and `rass_name` (one name or id, or a list of
/// them). Parameters that break the method's rules (missing, unknown, wrong
/// type or format) are `JC_ERR_INVALID_ARGUMENT` before any traffic. Blocks
/// for at most the client's timeout. `*out_json` as for `jc_delete_order`
/// (owned by the caller, free with `jc_string_free`). Thread-safe: `client`
/// may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_delete_subscribe(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_delete_subscribe(client: client, params_json: params) -> document(out_json) {
        client.call_method("DeleteSubscribe", &params_json)
    })
}

/// GetLeadGroupStatuses: lists a contact's groups with its status in each
/// and the subscription time.
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `email`. Parameters that break the method's rules (missing,
/// unknown, wrong type or format) are `JC_ERR_INVALID_ARGUMENT` before any
/// traffic. Blocks for at most the client's timeout. `*out_json` as for
/// `jc_delete_order` (owned by the caller, free with `jc_string_free`).
/// Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_get_lead_group_statuses(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_get_lead_group_statuses(client: client, params_json: params) -> document(out_json) {
        client.call_method("GetLeadGroupStatuses", &params_json)
    })
}

/// GetLeadGroups (deprecated): lists a contact's groups (use
/// GetLeadGroupStatuses).
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `email`. Parameters that break the method's rules (missing,
/// unknown, wrong type or format) are `JC_ERR_INVALID_ARGUMENT` before any
/// traffic. Blocks for at most the client's timeout. `*out_json` as for
/// `jc_delete_order` (owned by the caller, free with `jc_string_free`).
/// Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_get_lead_groups(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_get_lead_groups(client: client, params_json: params) -> document(out_json) {
        client.call_method("GetLeadGroups", &params_json)
    })
}

/// GetAllGroups: lists every group of the account that can be subscribed to.
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// No parameters: `params_json` may be NULL. Parameters that break the
/// method's rules (missing, unknown, wrong type or format) are
/// `JC_ERR_INVALID_ARGUMENT` before any traffic. Blocks for at most the
/// client's timeout. `*out_json` as for `jc_delete_order` (owned by the
/// caller, free with `jc_string_free`). Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_get_all_groups(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_get_all_groups(client: client, params_json: params) -> document(out_json) {
        client.call_method("GetAllGroups", &params_json)
    })
}

/// GetCountSubscribe: counts the contacts of a group (or `unique` / `all` of
/// the account).
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `group_name`. Parameters that break the method's rules
/// (missing, unknown, wrong type or format) are `JC_ERR_INVALID_ARGUMENT`
/// before any traffic. Blocks for at most the client's timeout. `*out_json`
/// as for `jc_delete_order` (owned by the caller, free with
/// `jc_string_free`). Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_get_count_subscribe(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_get_count_subscribe(client: client, params_json: params) -> document(out_json) {
        client.call_method("GetCountSubscribe", &params_json)
    })
}

/// CreateOrder: creates an order of existing products for one customer.
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `goods` (a non-empty list of
/// `{"good_name":...,"good_sum":...}`) and `bill_email`; optional
/// `bill_first_name`, `bill_surname`, `bill_otchestvo`, `bill_phone`,
/// `bill_country`, `bill_region`, `bill_city`, `bill_address`,
/// `bill_postal_code`, `bill_kupon`, `bill_tag`, `bill_comment`, `bill_ip`,
/// `bill_timer_kill` (a boolean or UNIX seconds), `bill_created` (UNIX
/// seconds), `bill_domain`, `utm` (an object of UTM tags), `bill_aff`,
/// `bill_aff_name`, `bill_paff`, `bill_paff_name`, `bill_ad_id`. When the
/// identical order exists already (the service's code 601), this is a
/// success with `"outcome":"already_exists"` and `result.bill_id` the
/// existing order. Parameters that break the method's rules (missing,
/// unknown, wrong type or format) are `JC_ERR_INVALID_ARGUMENT` before any
/// traffic. Blocks for at most the client's timeout. `*out_json` as for
/// `jc_delete_order` (owned by the caller, free with `jc_string_free`).
/// Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_create_order(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_create_order(client: client, params_json: params) -> document(out_json) {
        client.call_method("CreateOrder", &params_json)
    })
}

/// getOrderDetails: returns one order with its lines, partners and payment
/// link.
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `bill_id`; optional `good_info`. Parameters that break the
/// method's rules (missing, unknown, wrong type or format) are
/// `JC_ERR_INVALID_ARGUMENT` before any traffic. Blocks for at most the
/// client's timeout. `*out_json` as for `jc_delete_order` (owned by the
/// caller, free with `jc_string_free`). Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_get_order_details(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_get_order_details(client: client, params_json: params) -> document(out_json) {
        client.call_method("getOrderDetails", &params_json)
    })
}

/// GetOrderInfo (deprecated): returns one order as a one-element list (use
/// getOrderDetails).
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `bill_id`; optional `good_info`. Parameters that break the
/// method's rules (missing, unknown, wrong type or format) are
/// `JC_ERR_INVALID_ARGUMENT` before any traffic. Blocks for at most the
/// client's timeout. `*out_json` as for `jc_delete_order` (owned by the
/// caller, free with `jc_string_free`). Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_get_order_info(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_get_order_info(client: client, params_json: params) -> document(out_json) {
        client.call_method("GetOrderInfo", &params_json)
    })
}

/// getOrdersWithGoods: lists the orders created in a date range, with lines
/// and partners (any range: split by the library).
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Optional `begin_date` (dd.mm.yyyy), `end_date` (dd.mm.yyyy), `paid`,
/// `goods` (one name or id, or a list of them); `params_json` may be NULL.
/// Any range is accepted: the library splits it into ranges the service
/// serves and returns one list, in order and without duplicates (so this may
/// send several requests, each bounded by the timeout). Parameters that
/// break the method's rules (missing, unknown, wrong type or format) are
/// `JC_ERR_INVALID_ARGUMENT` before any traffic. Blocks for at most the
/// client's timeout. `*out_json` as for `jc_delete_order` (owned by the
/// caller, free with `jc_string_free`). Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_get_orders_with_goods(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_get_orders_with_goods(client: client, params_json: params) -> document(out_json) {
        client.call_method("getOrdersWithGoods", &params_json)
    })
}

/// GetOrders (deprecated): lists the orders created or paid in a range (use
/// getOrdersWithGoods).
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Optional `date_s` (UNIX seconds), `date_e` (UNIX seconds), `paid`,
/// `goods` (one name or id, or a list of them); `params_json` may be NULL.
/// Parameters that break the method's rules (missing, unknown, wrong type or
/// format) are `JC_ERR_INVALID_ARGUMENT` before any traffic. Blocks for at
/// most the client's timeout. `*out_json` as for `jc_delete_order` (owned by
/// the caller, free with `jc_string_free`). Thread-safe: `client` may be
/// shared.
#[no_mangle]
pub unsafe extern "C" fn jc_get_orders(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_get_orders(client: client, params_json: params) -> document(out_json) {
        client.call_method("GetOrders", &params_json)
    })
}

/// AddGood: creates a product (every UpdateGood field is accepted too).
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `good_name`, `good_type` (one of `1`, `0`), `good_title` and
/// `good_sum`. Every UpdateGood field is accepted too. Parameters that break
/// the method's rules (missing, unknown, wrong type or format) are
/// `JC_ERR_INVALID_ARGUMENT` before any traffic. Blocks for at most the
/// client's timeout. `*out_json` as for `jc_delete_order` (owned by the
/// caller, free with `jc_string_free`). Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_add_good(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_add_good(client: client, params_json: params) -> document(out_json) {
        client.call_method("AddGood", &params_json)
    })
}

/// DeleteGood: deletes a product.
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `good_name`. Parameters that break the method's rules (missing,
/// unknown, wrong type or format) are `JC_ERR_INVALID_ARGUMENT` before any
/// traffic. Blocks for at most the client's timeout. `*out_json` as for
/// `jc_delete_order` (owned by the caller, free with `jc_string_free`).
/// Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_delete_good(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_delete_good(client: client, params_json: params) -> document(out_json) {
        client.call_method("DeleteGood", &params_json)
    })
}

/// GetAllGoods: lists every product of the shop.
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// No parameters: `params_json` may be NULL. Parameters that break the
/// method's rules (missing, unknown, wrong type or format) are
/// `JC_ERR_INVALID_ARGUMENT` before any traffic. Blocks for at most the
/// client's timeout. `*out_json` as for `jc_delete_order` (owned by the
/// caller, free with `jc_string_free`). Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_get_all_goods(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_get_all_goods(client: client, params_json: params) -> document(out_json) {
        client.call_method("GetAllGoods", &params_json)
    })
}

/// GetPartnerStats: returns an affiliate partner's earnings, clicks, leads
/// and sales.
///
/// `params_json` is NULL or a JSON object of the documented parameter names.
/// Required: `partner`; optional `date_from` (YYYY-MM-DD), `date_to`
/// (YYYY-MM-DD). Parameters that break the method's rules (missing, unknown,
/// wrong type or format) are `JC_ERR_INVALID_ARGUMENT` before any traffic.
/// Blocks for at most the client's timeout. `*out_json` as for
/// `jc_delete_order` (owned by the caller, free with `jc_string_free`).
/// Thread-safe: `client` may be shared.
#[no_mangle]
pub unsafe extern "C" fn jc_get_partner_stats(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {
    ffi_fn!(jc_get_partner_stats(client: client, params_json: params) -> document(out_json) {
        client.call_method("GetPartnerStats", &params_json)
    })
}

// generated:end
