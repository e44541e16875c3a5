//! The C ABI: a thin shell over [`crate::Client`]; `include/justclick.h` is
//! generated from this directory by cbindgen (see `build.rs`).
//!
//! One module per concept: `status` (the status enum, its names, the last
//! error, the version), `boundary` (the [`ffi_fn!`](boundary) macro and the
//! rules it applies), `document` (the JSON written to `*out_json`),
//! `client`, `options` (the options builder, `jc_client_new_with_options`),
//! `calls`, `methods` (one export per method of the table), `notify`
//! (notification verification) and `batch`. Nothing here has rules of its
//! own: validation, signing and verification live in the safe core.
//!
//! Every exported body is one `ffi_fn!` invocation, which runs it inside the
//! panic guard, checks each listed pointer for NULL and each string for
//! UTF-8, applies the out-parameter rule and reports through the status
//! enum, the thread's last error and, for calls, one JSON document
//! (tests/header.rs fails on an export written any other way). Adding an
//! API method that takes its parameters as a JSON object is five lines in
//! `methods.rs`, with the method's contract in the doc comment (it becomes the
//! header's):
//!
//! ```ignore
//! /// AddLeadToGroup: ... `*out_json` as for `jc_delete_order`. Thread-safe.
//! #[no_mangle]
//! pub unsafe extern "C" fn jc_add_lead_to_group(
//!     client: *const jc_client,
//!     params_json: *const c_char,
//!     out_json: *mut *mut c_char,
//! ) -> jc_status {
//!     ffi_fn!(jc_add_lead_to_group(client: client, params_json: params) -> document(out_json) {
//!         client.call_method("AddLeadToGroup", &params_json)
//!     })
//! }
//! ```
//!
//! Inside the body `client` is a `&Client` and `params_json` the parsed
//! `Params` (NULL and `""` are no parameters); the body returns the core's
//! `Result<Response>`. Exports are declared in the header in the order of
//! the `mod` lines below, then of their files. The other argument kinds and
//! rules (handles, setters, destructors) are listed on `ffi_fn!`.

#![allow(non_camel_case_types)]
// The exported functions are `unsafe` to call in C's sense; each documents
// its pointer contract in the header instead of a Rust `# Safety` section.
#![allow(clippy::missing_safety_doc)]

// The header declares exports in the order of these lines (cbindgen reads
// the modules in this order); the comments keep rustfmt from sorting them.

// `ffi_fn!` and the rules every export goes through.
mod boundary;
// The status codes (jc_status).
mod codes;
// The opaque handles: jc_client, jc_options.
mod handles;
// The argument checks of `ffi_fn!`.
mod arg;
// Why a call failed, its status and message.
mod failure;
// jc_client_new, jc_client_free.
mod client;
// The options builder (jc_options_*) and jc_client_new_with_options.
mod options;
// One export per API method, and jc_call.
mod calls;
// One export per method of the table that takes a JSON object.
mod methods;
// jc_verify_notification.
mod notify;
// jc_call_batch.
mod batch;
// The JSON documents.
mod document;
// jc_string_free, jc_status_name, jc_version, jc_last_error_message.
mod status;

#[cfg(test)]
mod tests;

pub use batch::jc_call_batch;
pub use calls::{jc_call, jc_delete_order, jc_get_bills, jc_update_good, jc_update_order_status};
pub use client::{jc_client_free, jc_client_new};
pub use codes::jc_status;
pub use handles::{jc_client, jc_options};
// Every export of the table (generated: tests/generated.rs).
pub use methods::*;
pub use notify::jc_verify_notification;
pub use options::{
    jc_client_new_with_options, jc_options_free, jc_options_new, jc_options_set_bool,
    jc_options_set_int, jc_options_set_str,
};
pub use status::{jc_last_error_message, jc_status_name, jc_string_free, jc_version};

/// Test hook (not in the header, only built with the `test-hooks` feature):
/// panics inside the boundary so tests can see `JC_ERR_PANIC`.
#[cfg(any(test, feature = "test-hooks"))]
#[no_mangle]
pub unsafe extern "C" fn jc_test_panic(out_json: *mut *mut std::ffi::c_char) -> jc_status {
    boundary::ffi_fn!(jc_test_panic() -> document(out_json) { deliberate_panic() })
}

#[cfg(any(test, feature = "test-hooks"))]
fn deliberate_panic() -> Result<crate::response::Response, crate::error::Error> {
    panic!("deliberate test panic")
}
