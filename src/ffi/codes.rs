//! The status codes every fallible function returns. The lowest layer of
//! the C surface: the boundary, the failure mapping and every exported
//! function use it; it uses nothing.

use std::ffi::CStr;

/// Result of every fallible function. The numbers are stable and never
/// renumbered; `jc_status_name` gives each one's name as used in the JSON
/// `status` field.
//
// The one list of statuses: build.rs derives each name from its variant
// (without `JC_ERR_`/`JC_`, lowercased), so adding a status is adding a
// variant here and its mapping in `Failure::status`.
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

// `c_name` and `from_u32`, generated from the enum above.
include!(concat!(env!("OUT_DIR"), "/status_names.rs"));

impl jc_status {
    /// The name as Rust text, for the documents' `status` field.
    pub(crate) fn name(self) -> &'static str {
        // The generated names are ASCII.
        self.c_name().to_str().unwrap_or("unknown")
    }
}
